// Unit tests of the rules for answers that finish in sessions not on screen (background.js, a pure function).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// a browser ES module (no imports) in a folder without package.json: load it as one
const source = readFileSync(new URL('../../main/resources/META-INF/resources/js/background.js', import.meta.url), 'utf8');
const { initial, track, MAX_WATCHED } = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

const run = (state, ...events) => events.reduce(track, state);
const left = (id, busy = true) => ({ type: 'left', session_id: id, busy });
const completed = (id, fields = {}) => ({ type: 'message.completed', session_id: id, message_id: `m-${id}`, ...fields });

test('an answer that completes after the user switched away marks its session until it is opened', () => {
  let s = run(initial(), left('A'), { type: 'opened', session_id: 'B' });
  assert.deepEqual(s.watching, ['A'], 'A keeps its socket while its answer runs');
  assert.deepEqual(s.unread, []);
  s = run(s, { type: 'message.delta', session_id: 'A', delta: 'more' });
  assert.deepEqual(s.unread, [], 'not before it completes');
  s = run(s, completed('A'));
  assert.deepEqual(s.watching, [], 'done listening');
  assert.deepEqual(s.unread, ['A']);
  s = run(s, { type: 'opened', session_id: 'C' }, left('C', false), { type: 'opened', session_id: 'B' });
  assert.deepEqual(s.unread, ['A'], 'the mark stays while the user moves between other sessions');
  s = run(s, { type: 'opened', session_id: 'A' });
  assert.deepEqual(s.unread, [], 'opening A clears it');
});

test('a session left with nothing running is not watched, and its events change nothing', () => {
  const s = run(initial(), left('A', false), completed('A'));
  assert.deepEqual(s, initial());
});

test('a session opened again before its answer ends is no longer watched: its own socket shows the answer', () => {
  const s = run(initial(), left('A'), { type: 'opened', session_id: 'A' }, completed('A'));
  assert.deepEqual(s, initial());
});

test('a failed, refused or stopped answer ends the watch without a mark', () => {
  for (const end of [{ type: 'message.failed', session_id: 'A' }, { type: 'send_failed', session_id: 'A' },
    completed('A', { cancelled: true }), completed('A', { finish_reason: 'cancelled' })]) {
    assert.deepEqual(run(initial(), left('A'), end), initial(), end.type);
  }
});

test('a reconnect that cannot recover and replays no turn in flight ends the watch; one that replays goes on', () => {
  const lost = { type: 'ready', session_id: 'A', resumed: true, recovered: false, replayed: 0 };
  assert.deepEqual(run(initial(), left('A'), lost).watching, []);
  const replaying = { ...lost, replayed: 12 };
  assert.deepEqual(run(initial(), left('A'), replaying).watching, ['A']);
  const recovered = { ...lost, recovered: true };
  assert.deepEqual(run(initial(), left('A'), recovered).watching, ['A']);
  const first = { type: 'ready', session_id: 'A', resumed: false, recovered: false, replayed: 0 };
  assert.deepEqual(run(initial(), left('A'), first).watching, ['A'], 'a first ready: the send goes out after it');
});

test('at most MAX_WATCHED sessions are watched at once', () => {
  const ids = Array.from({ length: MAX_WATCHED + 2 }, (_, i) => `s${i}`);
  const s = run(initial(), ...ids.map((id) => left(id)));
  assert.equal(s.watching.length, MAX_WATCHED);
  assert.deepEqual(run(s, completed(ids.at(-1))).unread, [], 'one beyond the cap is not heard');
});

test('marks come back from storage once each; forget and reset drop them', () => {
  const s = initial(['A', 'B', 'A']);
  assert.deepEqual(s.unread, ['A', 'B']);
  assert.deepEqual(run(s, { type: 'forget', session_id: 'A' }).unread, ['B']);
  assert.deepEqual(run(s, left('C'), { type: 'reset' }), initial());
});

test('track does not change the state it was given', () => {
  const s0 = run(initial(['X']), left('A'));
  const frozen = JSON.stringify(s0);
  run(s0, completed('A'), { type: 'opened', session_id: 'X' }, { type: 'reset' });
  assert.equal(JSON.stringify(s0), frozen);
});
