import type {
  CallOptions,
  Contract,
  DataArgs,
  RpcInput,
  RpcMethod,
  RpcOutput,
} from "@switchyard/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSwitchyardContext } from "./context.js";
import { noClient } from "./without-client.js";

/** What {@link useRpc} returns. */
export interface RpcView<I, O> {
  /**
   * Calls the method; resolves with its result, rejects with its error (both also land in
   * `data` / `error`). Queued in the outbox while the link is down.
   */
  call(...args: DataArgs<I, CallOptions>): Promise<O>;
  /** As `call`, for event handlers: never rejects, the error is in `error`. */
  run(...args: DataArgs<I, CallOptions>): void;
  /** The result of the latest call that succeeded, until `reset()`. */
  readonly data: O | undefined;
  /** The error of the latest call, or null once a later call succeeded. */
  readonly error: Error | null;
  /** True while the latest call waits for its reply. */
  readonly pending: boolean;
  /** Forgets `data` and `error`. */
  reset(): void;
}

interface RpcResult<O> {
  readonly data: O | undefined;
  readonly error: Error | null;
  readonly pending: boolean;
}

const IDLE: RpcResult<never> = { data: undefined, error: null, pending: false };

/**
 * Calls an RPC method registered with `hub.rpc`, with the latest result, error and pending
 * flag as state. A reply to an older call does not overwrite a newer one's; a reply after
 * unmount is dropped. With a contract (`createHooks(contract)`), the input and the result are
 * typed from its schemas.
 *
 * @example
 * function Adder() {
 *   const { run, data, error, pending } = useRpc("math.add");
 *   return (
 *     <>
 *       <button disabled={pending} onClick={() => run({ a: 1, b: 2 })}>Add</button>
 *       {data !== undefined && <output>{String(data)}</output>}
 *       {error && <p role="alert">{error.message}</p>}
 *     </>
 *   );
 * }
 */
export function useRpc<C extends Contract = Contract, M extends RpcMethod<C> = RpcMethod<C>>(
  method: M,
): RpcView<RpcInput<C, M>, RpcOutput<C, M>> {
  type O = RpcOutput<C, M>;
  const { client } = useSwitchyardContext();
  const [result, setResult] = useState<RpcResult<O>>(IDLE);
  const latest = useRef(0);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const call = useCallback(
    (...args: DataArgs<RpcInput<C, M>, CallOptions>): Promise<O> => {
      if (!client) return noClient();
      const id = ++latest.current;
      setResult((previous) => ({ ...previous, pending: true }));
      const settle = (next: (previous: RpcResult<O>) => RpcResult<O>) => {
        if (mounted.current && id === latest.current) setResult(next);
      };
      const rpc = client.rpc.bind(client) as (method: string, ...rest: unknown[]) => Promise<O>;
      return rpc(method, ...args).then(
        (data) => {
          settle(() => ({ data, error: null, pending: false }));
          return data;
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          settle((previous) => ({ data: previous.data, error: failure, pending: false }));
          throw failure;
        },
      );
    },
    [client, method],
  );
  const run = useCallback(
    (...args: DataArgs<RpcInput<C, M>, CallOptions>) => {
      call(...args).catch(() => {});
    },
    [call],
  );
  const reset = useCallback(() => {
    latest.current += 1;
    setResult(IDLE);
  }, []);
  return useMemo(() => ({ ...result, call, run, reset }), [result, call, run, reset]);
}
