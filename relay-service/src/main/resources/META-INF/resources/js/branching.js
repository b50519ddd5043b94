// What Edit, Regenerate and the "< n/m >" switcher do: a new version of a user message (sent like a message, with
// edit_of), a new answer to one (message.regenerate), or another version shown (PUT .../branch, then the history).
// One turn per session: they wait while an answer runs.
import { sessions as api } from './api.js';
import { idle, userBefore } from './conversation.js';

export function createBranching(ui, { dispatch, submit, loadHistory, showError }) {
  const ready = () => {
    if (!ui.socket) return false;
    if (idle(ui.state)) return true;
    showError(new Error('Wait until the answer is finished.'));
    return false;
  };

  const clearError = () => { document.getElementById('chat-error').textContent = ''; };

  return {
    onEdit(msg, content) {
      if (ready()) submit(crypto.randomUUID(), content, msg.id);
    },

    onRegenerate(answer) {
      const userId = userBefore(ui.state, answer.key);
      if (!userId || !ready()) return;
      const clientId = crypto.randomUUID();
      ui.stopRequested = false;
      dispatch({ type: 'regenerate', client_id: clientId, message_id: userId });
      ui.socket.sendMessage({ type: 'message.regenerate', message_id: userId, client_message_id: clientId });
      clearError();
    },

    // session-service decides what the branch shown becomes (that version and its newest continuation)
    async onSwitch(msg, version) {
      const id = ui.current?.id;
      if (!id || !ready()) return;
      try {
        await api.branch(id, msg.id, version);
        clearError();
      } catch (err) {
        showError(err.status === 409 ? new Error('That message is no longer shown; the conversation was reloaded.') : err);
      }
      if (ui.current?.id === id) await loadHistory();
    },
  };
}
