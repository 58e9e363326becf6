import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { Dashboard } from './dashboard.js';
import { LoginPage } from './login.js';
import { navigate, usePath } from './router.js';
import type { Agent } from './types.js';
import './style.css';
import './layout/phone.css';
import './attachments/attachments.css';
import './layout/settings-pages.css';

const RETURN_KEY = 'parley.return';

function App() {
  const path = usePath();
  const [agent, setAgent] = useState<Agent | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  // Once on the login page, a late 401 from a request still in flight (logout races the inbox's
  // own requests) must not replace why the agent is there ("You are logged out.").
  const signedOut = useRef(false);

  const toLogin = useCallback((why: string) => {
    signedOut.current = true;
    try {
      if (location.pathname !== '/stratus/login') sessionStorage.setItem(RETURN_KEY, location.pathname);
    } catch {
      // No storage: after login the inbox opens.
    }
    setAgent(null);
    setNotice(why);
    navigate('/stratus/login', true);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (!signedOut.current) toLogin('Your session ended. Log in again; your draft is kept.');
    });
    void api<{ agent: Agent; csrf_token: string }>('GET', '/api/agent/me', undefined, { quiet401: true }).then((result) => {
      if (result.ok) {
        signedOut.current = false;
        setCsrfToken(result.data.csrf_token);
        setAgent(result.data.agent);
        if (location.pathname === '/stratus/login') navigate('/stratus', true);
      } else {
        toLogin('');
      }
    });
  }, [toLogin]);

  const loggedIn = (who: Agent) => {
    signedOut.current = false;
    setAgent(who);
    setNotice('');
    let back = '/stratus';
    try {
      back = sessionStorage.getItem(RETURN_KEY) ?? '/stratus';
      sessionStorage.removeItem(RETURN_KEY);
    } catch {
      // Storage unavailable.
    }
    navigate(back.startsWith('/stratus') && back !== '/stratus/login' ? back : '/stratus', true);
  };

  if (agent === undefined) return <p class="boot">Loading…</p>;
  if (agent === null || path === '/stratus/login') return <LoginPage onLoggedIn={loggedIn} notice={notice} />;
  return <Dashboard agent={agent} path={path} onLoggedOut={() => toLogin('You are logged out.')} />;
}

render(<App />, document.getElementById('app') as HTMLElement);
