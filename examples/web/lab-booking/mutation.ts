import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";

/**
 * A change sent to the backend: its refusal shows as a toast; on success this page refetches
 * `keys` at once (every other page does when the backend's event reaches it).
 */
export function useChange<Input>(
  send: (input: Input) => Promise<unknown>,
  keys: readonly QueryKey[],
  onDone?: () => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: () => {
      for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
      onDone?.();
    },
    onError: (error) => toast.error(error.message),
  });
}
