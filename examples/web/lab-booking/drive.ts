/**
 * Using the lab booking app from Node, as its browser tests and screenshot do: a person logs
 * in on a page; a colleague acts through the same REST API the page uses.
 */
import type { Page } from "playwright-core";

/** The seeded demo accounts (examples/lab-booking/server.py). */
export const ACCOUNTS = {
  ada: "ada-admin",
  ben: "ben-lab",
  chloe: "chloe-lab",
  dev: "dev-lab",
} as const;

export type Account = keyof typeof ACCOUNTS;

/** Opens the app and logs in as `user` through the login form; resolves on the main screen. */
export async function logIn(page: Page, appUrl: string, user: Account): Promise<void> {
  await page.goto(appUrl);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(ACCOUNTS[user]);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.getByRole("list", { name: "Equipment list" }).waitFor();
}

/** The backend's REST API as `user` (the page's `backend/…` routes). */
export async function colleague(appUrl: string, user: Account) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(`backend/${path}`, appUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${payload.error}`);
    return payload;
  };
  const login = await fetch(new URL("backend/login", appUrl), {
    method: "POST",
    body: JSON.stringify({ username: user, password: ACCOUNTS[user] }),
  });
  if (!login.ok) throw new Error(`login of ${user}: ${login.status}`);
  const token = ((await login.json()) as { token: string }).token;
  return {
    call,
    /** The id of the equipment named `name`. */
    async equipmentId(name: string): Promise<number> {
      const list = await call<{ id: number; name: string }[]>("GET", "equipment");
      const found = list.find((item) => item.name === name);
      if (!found) throw new Error(`no equipment named ${name}`);
      return found.id;
    },
    sendSample(recipientId: Account, title: string, notes = "") {
      return call<{ id: number }>("POST", "samples", { recipientId, title, notes });
    },
  };
}
