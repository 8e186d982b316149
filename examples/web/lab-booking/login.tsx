import { useEffect, useState } from "react";
import { type DemoUser, type Login, request } from "./api.js";

/** The login form, with the demo accounts the backend seeded (click one to fill the form). */
export function LoginScreen({ onLogin }: { onLogin: (login: Login) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState<DemoUser[]>([]);
  useEffect(() => {
    request<DemoUser[]>("demo-users").then(setDemo, () => setDemo([]));
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await request<Login>("login", { method: "POST", body: { username, password } }));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <form className="card login-card" onSubmit={submit} aria-label="Log in">
        <h1>Lab equipment booking</h1>
        <p className="muted">Book instruments, follow who uses what, send samples to colleagues.</p>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        {demo.length > 0 && (
          <section className="demo-accounts" aria-label="Demo accounts">
            <h2>Demo accounts</h2>
            <table>
              <tbody>
                {demo.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => {
                          setUsername(user.id);
                          setPassword(user.password);
                        }}
                      >
                        {user.id}
                      </button>
                    </td>
                    <td>
                      <code>{user.password}</code>
                    </td>
                    <td className="muted">
                      {user.name}
                      {user.role === "admin" ? " · admin" : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </form>
    </main>
  );
}
