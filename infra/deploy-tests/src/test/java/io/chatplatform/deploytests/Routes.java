package io.chatplatform.deploytests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes of the local nginx config and of the rendered Ingress objects, in one comparable form.
 * nginx `^~ /p` and a bare `/p` are Prefix, `= /p` is Exact, `~ re` is Regex (the leading ^ dropped:
 * ingress-nginx anchors ImplementationSpecific paths itself); the backend is the upstream name with
 * '_' read as '-' (auth_service = the Service auth-service) and a `_management` suffix read as that Service's
 * port named management (auth_service_management), any other upstream its port http; a proxy_pass URI part is
 * the rewrite.
 */
final class Routes {

    record Route(String match, String path, String service, String port, String rewrite) {
        @Override
        public String toString() {
            return match + " " + path + " -> " + service + ("http".equals(port) ? "" : ":" + port)
                    + (rewrite == null ? "" : " (rewritten to " + rewrite + ")");
        }
    }

    /** One nginx location: its route (service null for a location that answers by itself) and directives. */
    record Location(Route route, Map<String, String> directives) {
    }

    private static final Pattern LOCATION = Pattern.compile(
            "location\\s+(?:(=|\\^~|~\\*?)\\s+)?(\"[^\"]+\"|[^\\s{]+)\\s*\\{((?:[^{}'\"]|'[^']*'|\"[^\"]*\")*)}");
    private static final Pattern PROXY_PASS = Pattern.compile("^http://([A-Za-z0-9_]+)(/\\S*)?$");
    private static final Pattern DIRECTIVE = Pattern.compile("([a-z_]+)\\s+([^;]*);");

    private Routes() {
    }

    static List<Location> nginxLocations(String config) {
        List<Location> out = new ArrayList<>();
        Matcher m = LOCATION.matcher(stripComments(config));
        while (m.find()) {
            String modifier = m.group(1);
            String path = m.group(2).replaceAll("^\"|\"$", "");
            String match = modifier == null || modifier.equals("^~") ? "Prefix" : modifier.equals("=") ? "Exact" : "Regex";
            if (match.equals("Regex")) {
                path = path.replaceFirst("^\\^", "");
            }
            Map<String, String> directives = new LinkedHashMap<>();
            Matcher d = DIRECTIVE.matcher(m.group(3));
            while (d.find()) {
                // proxy_set_header appears several times: keep them all, keyed by header name
                String name = d.group(1);
                String value = d.group(2).trim();
                if (name.equals("proxy_set_header")) {
                    name = name + " " + value.split("\\s+")[0];
                }
                directives.put(name, value);
            }
            String service = null;
            String port = null;
            String rewrite = null;
            String proxyPass = directives.get("proxy_pass");
            if (proxyPass != null) {
                Matcher p = PROXY_PASS.matcher(proxyPass);
                if (!p.matches()) {
                    throw new IllegalArgumentException("unexpected proxy_pass " + proxyPass + " in location " + path);
                }
                String upstream = p.group(1);
                port = upstream.endsWith("_management") ? "management" : "http";
                service = upstream.replaceFirst("_management$", "").replace('_', '-');
                rewrite = p.group(2);
            }
            out.add(new Location(new Route(match, path, service, port, rewrite), directives));
        }
        return out;
    }

    /** A directive set at the http/server level (outside any location), e.g. client_max_body_size. */
    static String nginxGlobal(String config, String directive) {
        String outside = LOCATION.matcher(stripComments(config)).replaceAll("");
        Matcher m = Pattern.compile("(?m)^\\s*" + directive + "\\s+([^;]+);").matcher(outside);
        return m.find() ? m.group(1).trim() : null;
    }

    static String stripComments(String config) {
        return config.replaceAll("(?m)#.*$", "");
    }

    /** The routes of one Ingress object, each carrying the object's rewrite-target annotation. */
    static List<Route> ingressRoutes(Map<String, Object> ingress) {
        String rewrite = Repo.str(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/rewrite-target");
        List<Route> out = new ArrayList<>();
        for (Object rule : Repo.list(ingress, "spec", "rules")) {
            for (Object p : Repo.list(rule, "http", "paths")) {
                String type = Repo.str(p, "pathType");
                String path = Repo.str(p, "path");
                String match = switch (Objects.requireNonNull(type, "pathType of " + path)) {
                    case "Prefix" -> "Prefix";
                    case "Exact" -> "Exact";
                    default -> "Regex";
                };
                if (match.equals("Regex")) {
                    path = path.replaceFirst("^\\^", "");
                }
                Object port = Repo.at(p, "backend", "service", "port", "name");
                if (port == null) {
                    port = Repo.at(p, "backend", "service", "port", "number");
                }
                out.add(new Route(match, path, Repo.str(p, "backend", "service", "name"), String.valueOf(port), rewrite));
            }
        }
        return out;
    }

    static String describe(java.util.Collection<Route> routes) {
        TreeSet<String> lines = new TreeSet<>();
        routes.forEach(r -> lines.add("  " + r));
        return String.join("\n", lines);
    }
}
