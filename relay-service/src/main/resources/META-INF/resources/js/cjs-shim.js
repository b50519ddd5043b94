// highlight.js' core (from its mvnpm jar) is CommonJS: loaded as a classic script it assigns module.exports,
// which render.js takes over (and removes). Its language definitions are ES modules.
window.module = { exports: {} };
