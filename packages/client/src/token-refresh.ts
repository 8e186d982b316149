import type { ConnectResult, RefreshResult } from "@switchyard/protocol";
import { SwitchyardError } from "@switchyard/protocol";
import { ClientError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";

/** Longest delay `setTimeout` accepts. */
const MAX_DELAY = 2_147_483_647;

/** What the token refresh needs from the client. */
export interface RefreshLink {
  /** The connect reply of the live link, or null while there is none. */
  info(): ConnectResult | null;
  /** Sends a `refresh` frame on the live link and resolves with the hub's reply. */
  send(token: string): Promise<RefreshResult>;
  /** The hub refused the token of a refresh: the live link still runs on its old token. */
  refused(error: SwitchyardError): void;
}

type RefreshOptions = Pick<ResolvedOptions, "getToken" | "refreshable" | "refreshBeforeExpiry">;

/**
 * Sends a fresh token from `getToken` as a `refresh` frame shortly before the link's token
 * expires, so the link stays up. A refusal from the hub goes to `refused`; a `getToken`
 * that fails or a link that drops meanwhile is left to the reconnect, which asks again.
 */
export class TokenRefresh {
  readonly #options: RefreshOptions;
  readonly #link: RefreshLink;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RefreshOptions, link: RefreshLink) {
    this.#options = options;
    this.#link = link;
  }

  /** Plans the refresh of a link whose token expires at `expiresAt` (null: never). */
  schedule(expiresAt: number | null): void {
    this.stop();
    if (!this.#options.refreshable || typeof expiresAt !== "number") return;
    const due = expiresAt - this.#options.refreshBeforeExpiry;
    this.#timer = setTimeout(
      () => {
        // A delay past what setTimeout accepts arrives early: plan again.
        if (Date.now() < due) this.schedule(expiresAt);
        else void this.#refresh(expiresAt);
      },
      Math.min(Math.max(due - Date.now(), 0), MAX_DELAY),
    );
  }

  /** Forgets the planned refresh (the link is gone or the client closed). */
  stop(): void {
    clearTimeout(this.#timer);
  }

  async #refresh(expiresAt: number): Promise<void> {
    const info = this.#link.info();
    if (!info) return;
    let token: string | null | undefined;
    try {
      token = await this.#options.getToken();
    } catch {
      return; // The hub closes with `token_expired`; the reconnect calls getToken again.
    }
    if (!token || this.#link.info() !== info) return;
    let result: RefreshResult;
    try {
      result = await this.#link.send(token);
    } catch (error) {
      // The client's own errors (a lost link, a timeout) are the reconnect's business.
      const refused = error instanceof SwitchyardError && !(error instanceof ClientError);
      if (refused && this.#link.info() === info) this.#link.refused(error);
      return;
    }
    // Only a later expiry is worth another timer: the same token would loop.
    if (typeof result.expiresAt === "number" && result.expiresAt > expiresAt) {
      this.schedule(result.expiresAt);
    }
  }
}
