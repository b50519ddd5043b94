// Unit tests of the web UI's event handling (a pure function), run by `node --test` in the Maven build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// conversation.js is a browser ES module (no imports) in a folder without package.json: load it as one
const source = readFileSync(new URL('../../main/resources/META-INF/resources/js/conversation.js', import.meta.url), 'utf8');
const { initial, reduce } = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

const run = (state, ...events) => events.reduce(reduce, state);
const texts = (s) => s.order.map((k) => `${s.byKey[k].role}:${s.byKey[k].content}`);
const created = (id, cmid, content = 'hi') => ({ type: 'message.created', message_id: id, role: 'user', content, client_message_id: cmid });
const delta = (id, d) => ({ type: 'message.delta', message_id: id, delta: d });
const completed = (id, content) => ({ type: 'message.completed', message_id: id, content });

test('reduce does not change the state it was given', () => {
  const s0 = run(initial(), { type: 'send', client_id: 'c1', content: 'hi' });
  const frozen = JSON.stringify(s0);
  run(s0, created('u1', 'c1'), delta('a1', 'Hel'), completed('a1', 'Hel'));
  assert.equal(JSON.stringify(s0), frozen);
});

test('a pending send becomes the stored user message, and its answer streams to completion', () => {
  let s = run(initial(), { type: 'send', client_id: 'c1', content: 'hi' });
  assert.equal(s.byKey[s.order[0]].pending, true);
  s = run(s, { type: 'accepted', client_message_id: 'c1', message_id: 'a1' }, created('u1', 'c1'),
    delta('a1', 'Hel'), delta('a1', 'lo'));
  assert.deepEqual(texts(s), ['user:hi', 'assistant:Hello']);
  assert.equal(s.byKey[s.order[0]].pending, false);
  assert.equal(s.streaming, 'a1');
  s = run(s, completed('a1', 'Hello'));
  const a = s.byKey[s.ids.a1];
  assert.equal(a.streaming, false);
  assert.equal(a.stream, 'complete');
  assert.equal(s.streaming, null);
  assert.equal(s.turn, null);
});

test('a lost or repeated delta shows as diverged', () => {
  const s = run(initial(), created('u1', 'c1'), delta('a1', 'Hel'), delta('a1', 'Hel'), completed('a1', 'Hello'));
  assert.equal(s.byKey[s.ids.a1].stream, 'diverged');
  assert.equal(s.byKey[s.ids.a1].content, 'Hello', 'the completed content wins');
});

test('a reload mid-answer: the stored checkpoint gives way to the replayed turn, every word once', () => {
  const history = { type: 'history', items: [
    { id: 'u1', role: 'user', content: 'tell me', client_message_id: 'c1' },
    { id: 'a1', role: 'assistant', content: 'one two', metadata: { message_id: 'a1' } },
  ] };
  const s = run(initial(), history, created('u1', 'c1', 'tell me'),
    delta('a1', 'one '), delta('a1', 'two '), delta('a1', 'three'), completed('a1', 'one two three'));
  assert.deepEqual(texts(s), ['user:tell me', 'assistant:one two three']);
  assert.equal(s.byKey[s.ids.a1].stream, 'complete');
});

test('without the turn replay (no message.created seen) live deltas extend the stored answer', () => {
  const history = { type: 'history', items: [{ id: 'a1', role: 'assistant', content: 'one ', metadata: '{"message_id":"a1"}' }] };
  const s = run(initial(), history, delta('a1', 'two'));
  assert.equal(s.byKey[s.ids.a1].content, 'one two');
});

test('a send the history does not hold yet stays after it; one it holds is not doubled', () => {
  const s1 = run(initial(), { type: 'send', client_id: 'c9', content: 'quick' }, { type: 'history', items: [] });
  assert.deepEqual(texts(s1), ['user:quick']);
  const s2 = run(initial(), { type: 'send', client_id: 'c9', content: 'quick' },
    { type: 'history', items: [{ id: 'u9', role: 'user', content: 'quick', client_message_id: 'c9' }] });
  assert.deepEqual(texts(s2), ['user:quick']);
  assert.equal(s2.byKey[s2.order[0]].pending, false);
});

test('a refused send is unsent and can be sent again under the same id', () => {
  let s = run(initial(), { type: 'send', client_id: 'c1', content: 'hi' }, { type: 'send_failed', client_message_id: 'c1' });
  assert.equal(s.byKey[s.order[0]].unsent, true);
  assert.equal(s.turn, null);
  s = run(s, { type: 'send', client_id: 'c1', content: 'hi' });
  assert.equal(s.order.length, 1, 'the retry is the same message');
  assert.equal(s.byKey[s.order[0]].pending, true);
});

test('tools, cancellation and failure', () => {
  const s = run(initial(), { type: 'tool.started', message_id: 'a1', tool: 'time' },
    { type: 'tool.finished', message_id: 'a1', tool: 'time', ok: true, summary: 'noon' },
    { type: 'message.completed', message_id: 'a1', content: '', finish_reason: 'cancelled' },
    { type: 'message.failed', message_id: 'a2', error: { code: 'model_error', message: 'boom' }, retryable: true });
  assert.deepEqual(s.byKey[s.ids.a1].tools, [{ tool: 'time', state: 'finished', ok: true, summary: 'noon' }]);
  assert.equal(s.byKey[s.ids.a1].stopped, true);
  assert.equal(s.byKey[s.ids.a2].failure, 'The answer failed: boom (you can try again)');
});
