import type { EventFrame } from "@switchyard/protocol";
import type { BrokerEvent } from "../broker/broker.js";

/** The wire frame of an event. */
export function eventFrame(event: BrokerEvent): EventFrame {
  return {
    type: "event",
    channel: event.channel,
    event: event.event,
    data: event.data,
    offset: event.offset,
    timestamp: event.timestamp,
  };
}
