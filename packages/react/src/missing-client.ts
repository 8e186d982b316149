import { ClientError } from "@switchyard/client";

/**
 * The error of a hook's action called while the provider has no client (on the server, before
 * a provider given `options` created it, or after it closed).
 */
export function noClient(): Promise<never> {
  return Promise.reject(new ClientError("client_closed", "No Switchyard client yet"));
}
