import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import type { Agent } from './types.js';

/** `/stratus/agents`: list, create, activate/deactivate, reset password. Admins only. */
export function AgentsPage({ self }: { self: Agent }) {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'agent' as Agent['role'] });

  const load = async () => {
    const result = await api<{ agents: Agent[] }>('GET', '/api/agent/agents');
    if (result.ok) setAgents(result.data.agents);
    else setError(result.error.message);
  };

  useEffect(() => {
    if (self.role === 'admin') void load();
  }, [self.role]);

  if (self.role !== 'admin') {
    return (
      <main class="page" id="main">
        <h1>Agents</h1>
        <p role="alert">Only admins can manage agents.</p>
      </main>
    );
  }

  const report = (ok: boolean, text: string) => {
    setMessage(ok ? text : '');
    setError(ok ? '' : text);
  };

  const create = async (event: Event) => {
    event.preventDefault();
    const result = await api<{ agent: Agent }>('POST', '/api/agent/agents', form);
    if (result.ok) {
      setForm({ email: '', name: '', password: '', role: 'agent' });
      report(true, `Added ${result.data.agent.name}.`);
      void load();
    } else {
      const fields = result.error.fields ? ` (${Object.entries(result.error.fields).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
      report(false, `${result.error.message}${fields}`);
    }
  };

  const patch = async (agent: Agent, body: Record<string, unknown>, done: string) => {
    const result = await api<{ agent: Agent }>('PATCH', `/api/agent/agents/${agent.id}`, body);
    if (result.ok) {
      report(true, done);
      void load();
    } else {
      report(false, result.error.message);
    }
  };

  const resetPassword = (agent: Agent) => {
    const password = window.prompt(`New password for ${agent.name} (at least 8 characters):`);
    if (password) void patch(agent, { password }, `Password changed for ${agent.name}; their sessions ended.`);
  };

  return (
    <main class="page" id="main">
      <h1>Agents</h1>
      <div aria-live="polite">
        {message && <p class="notice" role="status">{message}</p>}
        {error && <p class="error" role="alert">{error}</p>}
      </div>
      {/* Narrow screens scroll the table sideways rather than the whole page. */}
      <div class="table-wrap">
        <table class="agents">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last seen</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id} data-parley="agent" data-agent-id={String(a.id)}>
                <td>{a.name}</td>
                <td>{a.email}</td>
                <td>{a.role === 'admin' ? 'Admin' : 'Agent'}</td>
                <td>{a.active ? 'Active' : 'Deactivated'}</td>
                <td>{a.last_seen_at ? new Date(a.last_seen_at).toLocaleString() : '—'}</td>
                <td class="row-actions">
                  {a.id !== self.id && (
                    <button type="button" onClick={() => void patch(a, { active: !a.active }, `${a.name} is ${a.active ? 'deactivated' : 'active again'}.`)}>
                      {a.active ? 'Deactivate' : 'Activate'}
                    </button>
                  )}
                  <button type="button" onClick={() => resetPassword(a)}>Reset password</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="new-agent" onSubmit={create} aria-labelledby="new-agent-title">
        <h2 id="new-agent-title">Add an agent</h2>
        <label for="agent-email">Email</label>
        <input id="agent-email" type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        <label for="agent-name">Name</label>
        <input id="agent-name" required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <label for="agent-password">Password</label>
        <input id="agent-password" type="password" autoComplete="new-password" required minLength={8} value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        <label for="agent-role">Role</label>
        <select id="agent-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Agent['role'] })}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
        </select>
        <button type="submit" class="primary">Add agent</button>
      </form>
    </main>
  );
}
