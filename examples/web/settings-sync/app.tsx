/**
 * The settings panel: the status (the seed's `SettingsWebSocketStatus`), quality presets and
 * undo, the settings of one category at a time, the conflict of a refused edit, and the feed
 * of updates received.
 */
import type { StateConflictDetails } from "@switchyard/client";
import { useConnection, useSyncedState } from "@switchyard/react";
import { ConnectionBadge } from "@switchyard/react/components";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import {
  CATEGORIES,
  type CategoryId,
  keysOf,
  PRESET_NAMES,
  PRESET_TITLES,
  PRESETS,
  SETTINGS,
} from "../../settings-sync/settings.js";
import {
  authorName,
  clock,
  DOCUMENT,
  formatValue,
  type Settings,
  specOf,
  titleOf,
} from "./document.js";
import { PageContext, type PageInfo, SettingRow } from "./setting-row.js";
import { type Update, type Updates, useUpdates } from "./updates.js";

export function App() {
  const settings = useSyncedState<Settings>(DOCUMENT);
  const mine = useMyClientIds();
  const updates = useUpdates(mine);
  useConnectionToasts();
  const [category, setCategory] = useState<CategoryId>("physics");
  const versionRef = useRef(settings.version);
  versionRef.current = settings.version;
  const page = useMemo<PageInfo>(() => ({ mine, version: () => versionRef.current }), [mine]);

  const applyPreset = async (name: (typeof PRESET_NAMES)[number]) => {
    try {
      const { changes } = await settings.applyPreset(name);
      toast.success(`${PRESET_TITLES[name]} applied`, {
        description: `${changes.length} settings in one update`,
      });
    } catch (error) {
      toast.error(`${PRESET_TITLES[name]} was not applied`, { description: String(error) });
    }
  };
  const undo = async () => {
    try {
      const result = await settings.undo();
      if (!result.undone) toast("Nothing to undo");
      else {
        const restored = result.changes.map((change) => titleOf(change.key));
        toast.success("Your last change is undone", {
          description:
            restored.length === 0
              ? "Someone else changed those settings since."
              : restored.length <= 3
                ? restored.join(", ")
                : `${restored.length} settings restored`,
        });
      }
    } catch (error) {
      toast.error("Undo failed", { description: String(error) });
    }
  };

  return (
    <PageContext.Provider value={page}>
      <div className="page settings-page">
        <header className="app-header">
          <div className="title">
            <h1>Settings sync</h1>
            <span className="muted">Graph visualiser settings, shared live by every tab</span>
          </div>
          <SettingsStatus updates={updates} version={settings.version} />
        </header>

        <section className="toolbar card" aria-label="Actions">
          <div className="presets">
            <span className="toolbar-label">Quality preset</span>
            {PRESET_NAMES.map((name) => (
              <button
                key={name}
                type="button"
                className="preset"
                title={`${Object.keys(PRESETS[name]).length} settings`}
                onClick={() => void applyPreset(name)}
              >
                {PRESET_TITLES[name].replace(" quality", "")}
              </button>
            ))}
          </div>
          <span className="spacer" />
          {settings.pending.length > 0 && (
            <span className="muted saving">Saving {settings.pending.length}…</span>
          )}
          <button type="button" onClick={() => void undo()}>
            ↶ Undo my last change
          </button>
        </section>

        <Conflicts
          error={settings.error}
          undoConflicts={settings.conflicts}
          mine={mine}
          onUseMine={(key, value) => void settings.set(key, value as Settings[string])}
        />

        <div className="layout">
          <nav className="categories" aria-label="Categories">
            {CATEGORIES.map((c) => (
              <button
                key={c.id}
                type="button"
                className="category"
                aria-current={c.id === category ? "page" : undefined}
                onClick={() => setCategory(c.id)}
              >
                <span>{c.title}</span>
                <span className="count">{keysOf(c.id).length}</span>
              </button>
            ))}
            <p className="muted total">
              {Object.keys(SETTINGS).length} settings in {CATEGORIES.length} categories
            </p>
          </nav>

          <CategoryPanel category={category} loading={settings.status === "loading"} />

          <UpdateFeed updates={updates} mine={mine} />
        </div>
      </div>
    </PageContext.Provider>
  );
}

/**
 * The seed's notifications: "disconnected, reconnecting" when a live link drops, and "back" once
 * it is live again (not at the first connect).
 */
function useConnectionToasts(): void {
  const { status } = useConnection();
  const wasLive = useRef(false);
  const dropped = useRef(false);
  useEffect(() => {
    if (status === "connected") {
      if (dropped.current) toast.success("Real-time sync is back", { id: "connection" });
      wasLive.current = true;
      dropped.current = false;
    } else if (status === "reconnecting" && wasLive.current && !dropped.current) {
      dropped.current = true;
      toast.warning("Real-time sync disconnected", {
        id: "connection",
        description: "Reconnecting… Your changes are kept and sent when it is back.",
      });
    }
  }, [status]);
}

/** The ids this page's connections had (a reconnect brings a new one). */
function useMyClientIds(): ReadonlySet<string> {
  const { info } = useConnection();
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const id = info?.clientId;
  useEffect(() => {
    if (id !== undefined)
      setIds((current) => (current.has(id) ? current : new Set([...current, id])));
  }, [id]);
  return ids;
}

/** Live/Offline, the last update's time, the number of updates received, the version. */
function SettingsStatus({ updates, version }: { updates: Updates; version: number }) {
  return (
    <section className="status" aria-label="Sync status">
      <ConnectionBadge />
      <span className="status-item">
        <span className="muted">Last update</span>{" "}
        <strong data-testid="last-update">
          {updates.lastAt === null ? "none yet" : clock(updates.lastAt)}
        </strong>
      </span>
      <span className="status-item">
        <span className="muted">Updates received</span>{" "}
        <strong data-testid="update-count">{updates.count}</strong>
      </span>
      <span className="status-item">
        <span className="muted">Version</span> <strong data-testid="version">{version}</strong>
      </span>
    </section>
  );
}

/** Memoised: each row follows its own key, so the document's other changes render nothing here. */
const CategoryPanel = memo(function CategoryPanel({
  category,
  loading,
}: {
  category: CategoryId;
  loading: boolean;
}) {
  const info = CATEGORIES.find((c) => c.id === category);
  return (
    <section className="card panel" aria-label={`${info?.title} settings`} aria-busy={loading}>
      <h2>
        {info?.title} <span className="muted">— {info?.what}</span>
      </h2>
      <div className="settings-list">
        {keysOf(category).map((key) => (
          <SettingRow key={key} settingKey={key} spec={specOf(key)} />
        ))}
      </div>
    </section>
  );
});

function describe(update: Update, mine: ReadonlySet<string>): { title: string; detail: string } {
  if (update.kind === "reload") {
    return { title: `Reloaded: ${update.reason}`, detail: `every setting, v${update.version}` };
  }
  const keys = update.keys.length;
  const title =
    update.preset !== null
      ? `${PRESET_TITLES[update.preset]} preset: ${keys} settings`
      : keys === 1
        ? titleOf(update.keys[0] as string)
        : `${keys} settings changed`;
  const writes = update.writes === 1 ? "1 write" : `${update.writes} writes`;
  const by = update.authors.map((author) => authorName(author, mine)).join(", ");
  return { title, detail: `${writes} in one batch · ${by} · v${update.version}` };
}

/** The updates received, newest first. */
function UpdateFeed({ updates, mine }: { updates: Updates; mine: ReadonlySet<string> }) {
  return (
    <aside className="card feed" aria-label="Updates received">
      <h2>Updates received</h2>
      {updates.feed.length === 0 ? (
        <p className="muted">Changes from every tab, the HTTP API and the file appear here.</p>
      ) : (
        <ol>
          {updates.feed.map((update) => {
            const { title, detail } = describe(update, mine);
            return (
              <li key={update.id} className={`feed-item feed-${update.kind}`}>
                <span className="feed-time">{clock(update.at)}</span>
                <span className="feed-title">{title}</span>
                <span className="feed-detail muted">{detail}</span>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}

interface ConflictsProps {
  error: ReturnType<typeof useSyncedState<Settings>>["error"];
  undoConflicts: ReturnType<typeof useSyncedState<Settings>>["conflicts"];
  mine: ReadonlySet<string>;
  onUseMine(key: string, value: unknown): void;
}

/**
 * A refused edit (`state_conflict`: someone changed the key after the edit began) with both
 * values and the choice, and the keys an undo left alone because someone changed them since.
 */
function Conflicts({ error, undoConflicts, mine, onUseMine }: ConflictsProps) {
  const [dismissed, setDismissed] = useState<unknown>(null);
  const [dismissedUndo, setDismissedUndo] = useState<unknown>(null);
  const conflict = error?.error.code === "state_conflict" && error !== dismissed ? error : null;
  const details = conflict?.error.details as StateConflictDetails | undefined;
  const attempted = conflict?.write.kind === "write" ? (conflict.write.set ?? {}) : {};
  const showUndo = undoConflicts.length > 0 && undoConflicts !== dismissedUndo;
  if (!conflict && !showUndo) return null;
  return (
    <section className="conflicts" role="alert" aria-label="Conflict">
      {conflict &&
        Object.entries(attempted).map(([key, value]) => {
          const spec = specOf(key);
          const theirs = details?.entries[key];
          return (
            <div key={key} className="conflict">
              <div>
                <strong>Conflict on {titleOf(key)}.</strong> You entered{" "}
                <strong>{formatValue(spec, value)}</strong>, but{" "}
                {authorName(theirs?.updatedBy, mine)} changed it to{" "}
                <strong>{formatValue(spec, theirs?.value)}</strong>
                {theirs ? ` at ${clock(theirs.updatedAt)}` : ""} while you were editing. Your value
                was not saved.
              </div>
              <div className="conflict-actions">
                <button
                  type="button"
                  className="primary"
                  onClick={() => {
                    setDismissed(conflict);
                    onUseMine(key, value);
                  }}
                >
                  Use mine ({formatValue(spec, value)})
                </button>
                <button type="button" onClick={() => setDismissed(conflict)}>
                  Keep theirs
                </button>
              </div>
            </div>
          );
        })}
      {showUndo && (
        <div className="conflict">
          <div>
            <strong>Not undone:</strong>{" "}
            {undoConflicts
              .map(
                (c) =>
                  `${titleOf(c.key)} (now ${formatValue(specOf(c.key), c.entry?.value)}, changed by ${authorName(c.entry?.updatedBy, mine)})`,
              )
              .join("; ")}{" "}
            — someone changed {undoConflicts.length === 1 ? "it" : "them"} after you.
          </div>
          <div className="conflict-actions">
            <button type="button" onClick={() => setDismissedUndo(undoConflicts)}>
              Dismiss
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
