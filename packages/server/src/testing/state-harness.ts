import type { Hub, HubOptions } from "../create-hub.js";
import type { ContractClient } from "./state-client.js";

/** One hub node under test: its hub, its WebSocket URL, and how to stop it. */
export interface StateContractNode {
  readonly hub: Hub;
  /** `ws://…/ws` of the node. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `count` hub nodes sharing one broker, each made with `options` (and its broker). */
export type StartStateNodes = (options: HubOptions, count: number) => Promise<StateContractNode[]>;

/** What the state contract's tests share (made by `stateContract`). */
export interface StateHarness {
  /** `count` started nodes (closed after the test). */
  nodes(count?: number): Promise<StateContractNode[]>;
  /** A connected client of `node`, as user `sub` (anonymous with null), with token claims. */
  client(
    node: StateContractNode,
    sub: string | null,
    claims?: Record<string, unknown>,
  ): Promise<ContractClient>;
  /** A document name no other test used, under a declared prefix (`doc`, `free`, `batched`). */
  fresh(prefix?: string): string;
  /** The code and details of a rejected promise (fails when it resolves). */
  codeOf(promise: Promise<unknown>): Promise<{ code: string; details: unknown }>;
}
