/**
 * One setting: its label, the control its kind calls for (a slider with its value and a field
 * for an exact number, a switch, a select, a colour picker) and who changed it last. Each row
 * follows its own key (`useStateValue`): a change of another key renders nothing here.
 *
 * Sliders, switches and selects write at once, last writer wins. The number field is an edit
 * of its own: it remembers the document version when it got the focus and writes with it
 * (`ifVersion`), so if someone changed the key meanwhile the hub refuses the write with
 * `state_conflict` and the page shows the conflict instead of overwriting their value.
 */
import { useStateValue } from "@switchyard/react";
import { createContext, type KeyboardEvent, memo, useContext, useId, useState } from "react";
import type { NumberSetting, SettingSpec } from "../../settings-sync/settings.js";
import { authorName, clock, DOCUMENT, decimalsOf, formatValue, type Settings } from "./document.js";

/** What the rows need from the page. */
export interface PageInfo {
  /** The ids of this page's connections (so its own writes show as "you"). */
  readonly mine: ReadonlySet<string>;
  /** The document version the page has seen whole (the `ifVersion` of an edit started now). */
  readonly version: () => number;
}

export const PageContext = createContext<PageInfo>({ mine: new Set(), version: () => 0 });

export const SettingRow = memo(function SettingRow({
  settingKey,
  spec,
}: {
  settingKey: string;
  spec: SettingSpec;
}) {
  const setting = useStateValue<Settings>(DOCUMENT, settingKey);
  const { mine } = useContext(PageContext);
  const id = useId();
  const value = setting.value ?? spec.default;
  const conflicted = setting.error?.error.code === "state_conflict";
  const entry = setting.entry;
  return (
    <div
      className={`setting${setting.pending ? " is-pending" : ""}${conflicted ? " is-conflicted" : ""}`}
      data-key={settingKey}
    >
      <div className="setting-label">
        <label htmlFor={id} id={`${id}-label`}>
          {spec.label}
        </label>
        {spec.help && <span className="setting-help">{spec.help}</span>}
      </div>
      <div className="setting-control">
        {spec.kind === "number" && (
          <NumberControl
            id={id}
            spec={spec}
            value={value as number}
            label={spec.label}
            onChange={(next) => setting.set(next)}
            onCommit={(next, ifVersion) => setting.set(next, { ifVersion })}
            changedSince={entry?.version ?? 0}
          />
        )}
        {spec.kind === "boolean" && (
          <button
            id={id}
            type="button"
            role="switch"
            className="switch"
            aria-checked={value === true}
            aria-labelledby={`${id}-label`}
            onClick={() => setting.set(!value)}
          >
            <span className="switch-thumb" />
            <span className="switch-text">{value ? "On" : "Off"}</span>
          </button>
        )}
        {spec.kind === "choice" && (
          <select id={id} value={String(value)} onChange={(e) => setting.set(e.target.value)}>
            {spec.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        )}
        {spec.kind === "color" && (
          <span className="color-control">
            <input
              id={id}
              type="color"
              value={String(value)}
              onChange={(e) => setting.set(e.target.value)}
            />
            <code>{String(value)}</code>
          </span>
        )}
      </div>
      <div className="setting-meta" title={entry ? `version ${entry.version}` : "never changed"}>
        {conflicted ? (
          <span className="tag tag-conflict">conflict</span>
        ) : setting.pending ? (
          <span className="tag">saving…</span>
        ) : entry && entry.updatedBy !== null ? (
          <>
            <span className="author">{authorName(entry.updatedBy, mine)}</span>
            <span className="muted"> · {clock(entry.updatedAt)}</span>
          </>
        ) : (
          <span className="muted">default</span>
        )}
      </div>
    </div>
  );
});

interface NumberControlProps {
  id: string;
  spec: NumberSetting & SettingSpec;
  label: string;
  value: number;
  /** The key's version: above the edit's start when someone changed it meanwhile. */
  changedSince: number;
  onChange(value: number): void;
  onCommit(value: number, ifVersion: number): void;
}

/** An edit in progress in the number field. */
interface Draft {
  text: string;
  /** The document version when the edit began. */
  base: number;
  /** The value when the edit began. */
  from: number;
}

function NumberControl({
  id,
  spec,
  label,
  value,
  changedSince,
  onChange,
  onCommit,
}: NumberControlProps) {
  const { version } = useContext(PageContext);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const decimals = decimalsOf(spec.step);

  const commit = () => {
    if (!draft) return;
    setDraft(null);
    const next = Number(draft.text);
    if (draft.text.trim() === "" || Number.isNaN(next) || next === draft.from) {
      setInvalid(null);
      return;
    }
    if (next < spec.min || next > spec.max || (spec.integer && !Number.isInteger(next))) {
      setInvalid(`${spec.integer ? "A whole number" : "A number"} from ${spec.min} to ${spec.max}`);
      return;
    }
    setInvalid(null);
    onCommit(next, draft.base);
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") commit();
    if (event.key === "Escape") {
      setDraft(null);
      setInvalid(null);
    }
  };
  const changedMeanwhile = draft !== null && changedSince > draft.base;

  return (
    <span className="number-control">
      <input
        id={id}
        type="range"
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <input
        type="number"
        className="exact"
        aria-label={`${label}, exact value`}
        aria-invalid={invalid !== null}
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={draft ? draft.text : value.toFixed(decimals)}
        onFocus={() => setDraft({ text: value.toFixed(decimals), base: version(), from: value })}
        onChange={(e) => {
          const text = e.target.value;
          // Typing again after Enter (the field kept the focus) starts a new edit.
          setDraft((current) =>
            current ? { ...current, text } : { text, base: version(), from: value },
          );
        }}
        onBlur={commit}
        onKeyDown={onKey}
      />
      <span className="unit">{spec.unit ?? ""}</span>
      {changedMeanwhile && (
        <span className="hint" role="status">
          changed to {formatValue(spec, value)} while you edit
        </span>
      )}
      {invalid && (
        <span className="hint hint-error" role="alert">
          {invalid}
        </span>
      )}
    </span>
  );
}
