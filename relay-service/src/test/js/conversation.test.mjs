// Unit tests of the web UI's event handling (a pure function), run by `node --test` in the Maven build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// conversation.js is a browser ES module (no imports) in a folder without package.json: load it as one
const source = readFileSync(new URL('../../main/resources/META-INF/resources/js/conversation.js', import.meta.url), 'utf8');
const { initial, reduce, switcher, userBefore, idle } = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

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

// ---------- versions: edit, regenerate, the switcher ----------
const twoTurns = () => run(initial(), { type: 'history', items: [
  { id: 'u1', role: 'user', content: 'first', client_message_id: 'c1' },
  { id: 'a1', role: 'assistant', content: 'answer one', metadata: { message_id: 'a1' } },
  { id: 'u2', role: 'user', content: 'second', client_message_id: 'c2', version: 1, versions: 1 },
  { id: 'a2', role: 'assistant', content: 'answer two', metadata: { message_id: 'a2' }, version: 2, versions: 3 },
] });

test('the history keeps each message version and version count', () => {
  const s = twoTurns();
  assert.deepEqual([s.byKey[s.ids.a2].version, s.byKey[s.ids.a2].versions], [2, 3]);
  assert.deepEqual([s.byKey[s.ids.u1].version, s.byKey[s.ids.u1].versions], [1, 1], 'absent means 1 of 1');
});

test('the switcher: none with one version, else n/m and the versions either side', () => {
  assert.equal(switcher({ id: 'x', version: 1, versions: 1 }), null);
  assert.equal(switcher({ id: null, version: 1, versions: 2 }), null, 'not before it is stored');
  assert.deepEqual(switcher({ id: 'x', version: 1, versions: 2 }), { label: '1/2', prev: null, next: 2 });
  assert.deepEqual(switcher({ id: 'x', version: 2, versions: 3 }), { label: '2/3', prev: 1, next: 3 });
  assert.deepEqual(switcher({ id: 'x', version: 3, versions: 3 }), { label: '3/3', prev: 2, next: null });
});

test('regenerate takes what followed the user message away and its turn ends stale (history reload)', () => {
  let s = run(twoTurns(), { type: 'regenerate', client_id: 'r1', message_id: 'u2' });
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:second']);
  assert.equal(s.ids.a2, undefined, 'the old answer id is gone too');
  assert.equal(idle(s), false, 'a turn runs');
  s = run(s, { type: 'accepted', client_message_id: 'r1', message_id: 'a3' },
    { ...created('u2', 'r1', 'second'), regenerate_of: 'u2', version: 1, versions: 1 },
    delta('a3', 'new '), completed('a3', 'new '));
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:second', 'assistant:new ']);
  assert.equal(s.stale, true, 'the page reloads the history for the new version counts');
  assert.equal(idle(s), true);
  assert.equal(run(s, { type: 'history', items: [] }).stale, false);
});

test('another tab\'s regenerate (its message.created) takes the old answer away here too', () => {
  const s = run(twoTurns(), { ...created('u2', 'other', 'second'), regenerate_of: 'u2' }, delta('a9', 'fresh'));
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:second', 'assistant:fresh']);
});

test('a page opened mid-regenerate: the stored checkpoint gives way to the replayed turn from its start', () => {
  const history = { type: 'history', items: [
    { id: 'u1', role: 'user', content: 'q', client_message_id: 'c1' },
    { id: 'a5', role: 'assistant', content: 'one two', metadata: { message_id: 'a5' } },
  ] };
  const s = run(initial(), history, { ...created('u1', 'r1', 'q'), regenerate_of: 'u1' },
    delta('a5', 'one '), delta('a5', 'two '), delta('a5', 'three'), completed('a5', 'one two three'));
  assert.deepEqual(texts(s), ['user:q', 'assistant:one two three']);
  assert.equal(s.byKey[s.ids.a5].stream, 'complete', 'every word once');
});

test('an edit replaces the old version and all after it with the pending new one', () => {
  let s = run(twoTurns(), { type: 'send', client_id: 'e1', content: 'second, better', edit_of: 'u2' });
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:second, better']);
  const pending = s.byKey[s.order[2]];
  assert.equal(pending.pending, true);
  assert.equal(pending.editOf, 'u2', 'a retry stays an edit');
  s = run(s, { ...created('u3', 'e1', 'second, better'), edit_of: 'u2', version: 2, versions: 2 },
    delta('a3', 'ok'), completed('a3', 'ok'));
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:second, better', 'assistant:ok']);
  assert.deepEqual(switcher(s.byKey[s.ids.u3]), { label: '2/2', prev: 1, next: null });
  assert.equal(s.stale, true);
});

test('another tab\'s edit takes the old version away here too', () => {
  const s = run(twoTurns(), { ...created('u3', 'other', 'edited'), edit_of: 'u2', version: 2, versions: 2 });
  assert.deepEqual(texts(s), ['user:first', 'assistant:answer one', 'user:edited']);
});

test('a plain turn leaves no reload behind; a refused regenerate does (the old answer comes back)', () => {
  const plain = run(initial(), { type: 'send', client_id: 'c1', content: 'hi' }, created('u1', 'c1'), completed('a1', 'x'));
  assert.equal(plain.stale, false);
  const refused = run(twoTurns(), { type: 'regenerate', client_id: 'r1', message_id: 'u2' },
    { type: 'send_failed', client_message_id: 'r1' });
  assert.equal(refused.stale, true);
  assert.equal(refused.turn, null);
});

test('userBefore names the stored user message an answer replies to', () => {
  const s = twoTurns();
  assert.equal(userBefore(s, s.ids.a2), 'u2');
  assert.equal(userBefore(s, s.ids.a1), 'u1');
  assert.equal(userBefore(s, s.ids.u1), null);
  const pending = run(initial(), { type: 'send', client_id: 'c1', content: 'hi' }, delta('a1', 'x'));
  assert.equal(userBefore(pending, pending.ids.a1), null, 'not before the user message is stored');
});
