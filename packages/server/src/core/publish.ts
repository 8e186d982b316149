import { isValidEventName, type PublishResult, SwitchyardError } from "@switchyard/protocol";
import type { HubCore } from "./core.js";
import { checkData } from "./event-data.js";
import type { Namespace } from "./namespaces.js";
import { validate } from "./validate.js";

export interface PublishInput {
  channel: string;
  event: string;
  data?: unknown;
  idempotencyKey?: string;
  /** Live only: no offset, no history (server code's option; a namespace's ephemeral events). */
  ephemeral?: boolean;
  /** Server code: the `$`-prefixed event names features use (`$presence`) are allowed. */
  reserved?: boolean;
}

/** True for a `$`-prefixed event name, reserved for features (clients cannot publish one). */
export function isReservedEventName(event: string): boolean {
  return event.startsWith("$") && isValidEventName(event.slice(1));
}

/**
 * Publishes an event whose channel was already resolved and authorised: checks the event name,
 * its schema and that its data is JSON values (so every subscriber, of either codec, and the
 * history can take it), then hands it to the broker, which gives it an offset. The one publish
 * path of the hub: client publishes, `hub.publish` and all built on it (HTTP API, `sendTo*`,
 * broadcasts, jobs).
 */
export async function publishChecked(
  core: HubCore,
  namespace: Namespace,
  input: PublishInput,
): Promise<PublishResult> {
  const reserved = input.reserved === true && isReservedEventName(input.event);
  if (!reserved && !isValidEventName(input.event)) {
    throw new SwitchyardError(
      "invalid_frame",
      "Field 'event' must be 1-128 characters of A-Z a-z 0-9 _ . : -",
    );
  }
  let data: unknown = input.data === undefined ? null : input.data;
  // A feature's own events are not the application's to declare.
  if (namespace.events && !reserved) {
    const schema = namespace.events[input.event];
    if (!schema || !Object.hasOwn(namespace.events, input.event)) {
      throw new SwitchyardError(
        "unknown_event",
        `Event '${input.event}' is not declared for namespace '${namespace.name}'`,
      );
    }
    data = await validate(schema, data, `data for event '${input.event}'`);
  }
  // After the schema, whose output (a transform's) is what gets published.
  checkData(data, "data");
  const result = await core.broker.publish({
    channel: input.channel,
    event: input.event,
    data,
    history:
      input.ephemeral === true || namespace.ephemeral?.(input.event)
        ? undefined
        : namespace.history,
    idempotencyKey: input.idempotencyKey,
  });
  core.counters.published.total++;
  const out: PublishResult = {};
  if (result.offset !== undefined) out.offset = result.offset;
  if (result.epoch !== undefined) out.epoch = result.epoch;
  if (input.idempotencyKey !== undefined) out.duplicate = result.duplicate;
  return out;
}
