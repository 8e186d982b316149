/**
 * What the page counts of the document's traffic (the seed's `useSettingsWebSocket`:
 * `lastUpdate`, `messageCount`): every `changes` and `reload` event the hub sent on
 * `state:settings`. The state store applies them; this only listens beside it, on the same
 * subscription, and keeps a short feed of them.
 */
import type { StateChange, StateEventData } from "@switchyard/client";
import { useSubscription } from "@switchyard/react";
import { useCallback, useRef, useState } from "react";
import { toast } from "sonner";
import {
  PRESET_NAMES,
  PRESET_TITLES,
  PRESETS,
  type PresetName,
} from "../../settings-sync/settings.js";
import { authorName, DOCUMENT_CHANNEL } from "./document.js";

/** One update received: a batch of changes, or a reload of the whole document. */
export type Update =
  | {
      readonly id: number;
      readonly kind: "changes";
      readonly at: number;
      readonly version: number;
      /** The keys the batch changed (the newest change of each). */
      readonly keys: readonly string[];
      /** How many writes the batch carries. */
      readonly writes: number;
      /** Who wrote (`updatedBy` of the changes). */
      readonly authors: readonly (string | null)[];
      /** The preset whose every value the batch set, when it is one. */
      readonly preset: PresetName | null;
    }
  | {
      readonly id: number;
      readonly kind: "reload";
      readonly at: number;
      readonly version: number;
      readonly reason: string;
    };

/** The counters and the feed the status shows. */
export interface Updates {
  /** Events received since the page opened. */
  readonly count: number;
  /** When the last one arrived (ms since the epoch), or null. */
  readonly lastAt: number | null;
  /** The newest first, at most {@link FEED_LENGTH}. */
  readonly feed: readonly Update[];
}

export const FEED_LENGTH = 8;

let nextId = 0;

function uniqueAuthors(changes: readonly StateChange[]): (string | null)[] {
  return [...new Set(changes.map((change) => change.updatedBy))];
}

/** The preset a batch applied: it set exactly that preset's keys to its values. */
export function presetOf(changes: readonly StateChange[]): PresetName | null {
  return (
    PRESET_NAMES.find((name) => {
      const preset = PRESETS[name];
      return (
        changes.length === Object.keys(preset).length &&
        changes.every((change) => "value" in change && preset[change.key] === change.value)
      );
    }) ?? null
  );
}

/**
 * Follows the document's events: counts them, keeps the feed, and toasts a preset someone
 * else applied, a reload with its reason (`file modified`, …) and a file the hub refused
 * (channel `settings-file`). `mine`: this page's client ids.
 */
export function useUpdates(mine: ReadonlySet<string>): Updates {
  const mineRef = useRef(mine);
  mineRef.current = mine;
  const [updates, setUpdates] = useState<Updates>({ count: 0, lastAt: null, feed: [] });
  const add = useCallback((update: Update) => {
    setUpdates((current) => ({
      count: current.count + 1,
      lastAt: update.at,
      feed: [update, ...current.feed].slice(0, FEED_LENGTH),
    }));
  }, []);
  useSubscription(DOCUMENT_CHANNEL, {
    onEvent: (event) => {
      const at = Date.now();
      if (event.event === "changes") {
        const data = event.data as StateEventData["changes"];
        const authors = uniqueAuthors(data.changes);
        const preset = presetOf(data.changes);
        add({
          id: ++nextId,
          kind: "changes",
          at,
          version: data.version,
          keys: data.changes.map((change) => change.key),
          writes: data.writes.length,
          authors,
          preset,
        });
        // The page that applied it says so itself (with the hub's reply).
        const by = authors.map((author) => authorName(author, mineRef.current));
        if (preset !== null && !by.includes("you")) {
          toast.info(`${PRESET_TITLES[preset]} applied`, {
            description: `${data.changes.length} settings changed by ${by.join(", ")}`,
          });
        }
      } else if (event.event === "reload") {
        const data = event.data as StateEventData["reload"];
        add({
          id: ++nextId,
          kind: "reload",
          at,
          version: data.document.version,
          reason: data.reason,
        });
        toast.info(`Settings reloaded: ${data.reason}`, {
          description: "Every setting now shows the file's values.",
        });
      }
    },
  });
  useSubscription("settings-file", {
    events: ["file_error"],
    onEvent: (event) => {
      const { message } = event.data as { message: string };
      toast.error("The settings file was not loaded", {
        description: `${message}. The settings are kept as they were, and the file is not written until it is valid again.`,
        duration: 10_000,
      });
    },
  });
  return updates;
}
