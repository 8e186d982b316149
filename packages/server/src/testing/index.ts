/**
 * Test helpers for Switchyard implementations, published as `@switchyard/server/testing`.
 * Requires Vitest (an optional peer dependency).
 *
 * @example
 * import { brokerContract } from "@switchyard/server/testing";
 *
 * brokerContract("my broker", () => createMyBroker());
 */
export { type BrokerContractOptions, brokerContract } from "./broker-contract.js";
export { keyValueContract } from "./kv-contract.js";
export { presenceContract } from "./presence-contract.js";
export { SharedBroker } from "./shared-broker.js";
export { Signal } from "./signal.js";
export {
  ContractClient,
  type ContractSocket,
  type ContractWebSocket,
  type HubFrame,
} from "./state-client.js";
export { stateContract } from "./state-contract.js";
export type { StartStateNodes, StateContractNode, StateHarness } from "./state-harness.js";
