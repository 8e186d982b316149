import "../shared/app.css";
import "@switchyard/react/styles.css";
import "./lab-booking.css";
import { SwitchyardProvider } from "@switchyard/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { Toaster } from "sonner";
import { appHubUrl } from "../shared/connect.js";
import { apiFor, type Login } from "./api.js";
import { BookingApp } from "./app.js";
import { LoginScreen } from "./login.js";

const STORAGE_KEY = "lab-booking.login";

function storedLogin(): Login | null {
  try {
    const login = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Login | null;
    return login && login.expiresAt > Date.now() ? login : null;
  } catch {
    return null;
  }
}

/**
 * One signed-in user: a hub client with their token (the provider creates it, keeps it through
 * StrictMode's double mount, and closes it on logout), a query cache, the app.
 */
function SignedIn({ login, onLogout }: { login: Login; onLogout: () => void }) {
  const [options] = useState(() => ({ url: appHubUrl(), getToken: () => login.token }));
  // The token serves the backend and the hub alike: once it expires, log in again.
  useEffect(() => {
    const timer = setTimeout(onLogout, Math.max(0, login.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [login.expiresAt, onLogout]);
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          // The hub's events say when data changed: nothing goes stale by time, no polling,
          // no refetch on focus or on the browser's "online" (a reconnect past the history
          // is the channel's reset, which refetches what it covers).
          queries: {
            staleTime: Number.POSITIVE_INFINITY,
            refetchOnWindowFocus: false,
            refetchOnReconnect: false,
            retry: 1,
          },
        },
      }),
    [],
  );
  const api = useMemo(() => apiFor(login.token, onLogout), [login.token, onLogout]);
  return (
    <SwitchyardProvider options={options}>
      <QueryClientProvider client={queryClient}>
        <BookingApp user={login.user} api={api} onLogout={onLogout} />
      </QueryClientProvider>
    </SwitchyardProvider>
  );
}

function Root() {
  const [login, setLogin] = useState<Login | null>(storedLogin);
  const logout = useMemo(
    () => () => {
      localStorage.removeItem(STORAGE_KEY);
      setLogin(null);
    },
    [],
  );
  return (
    <>
      {login ? (
        <SignedIn key={login.token} login={login} onLogout={logout} />
      ) : (
        <LoginScreen
          onLogin={(next) => {
            localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
            setLogin(next);
          }}
        />
      )}
      <Toaster position="bottom-right" richColors closeButton />
    </>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
