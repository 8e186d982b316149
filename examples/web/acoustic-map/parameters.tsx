/**
 * The project's parameters. A field shows the accepted value everyone sees; typing keeps a
 * draft, sent to the hub 300 ms after the last keystroke (`project.update`, as the seed's
 * debounced `simulation:parameter_update`). A refused value stays in the field with the hub's
 * message and its suggested value, which one click applies.
 */
import { SwitchyardError } from "@switchyard/client";
import { useRpc } from "@switchyard/react";
import { useEffect, useId, useRef, useState } from "react";
import { PROJECT_SOURCES, sourceKey } from "../../acoustic-map/project-keys.js";
import { PATTERNS } from "../../acoustic-map/spl.js";

/** Milliseconds between the last keystroke and the update (the seed's debounce). */
export const DEBOUNCE = 300;

interface Refusal {
  message: string;
  suggested?: unknown;
}

/** The hub's issue for `key` in a refused `project.update`. */
function refusalFor(error: unknown, key: string): Refusal {
  if (error instanceof SwitchyardError) {
    const issues = (error.details as { issues?: { path: unknown[]; message: string }[] } | null)
      ?.issues;
    const issue = issues?.find((item) => item.path[1] === key) ?? issues?.[0];
    if (issue) return issue as Refusal;
    return { message: error.message };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

interface FieldProps {
  project: string;
  /** The state key. */
  name: string;
  label: string;
  unit?: string;
  value: unknown;
  kind?: "number" | "pattern";
  step?: number;
  /** Accessible name (the visible label may be shared by a table column). */
  ariaLabel?: string;
}

/** One parameter: the accepted value, a debounced draft, and the hub's refusal. */
export function ParameterField({
  project,
  name,
  label,
  unit,
  value,
  kind,
  step,
  ariaLabel,
}: FieldProps) {
  const update = useRpc("project.update");
  const [draft, setDraft] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const id = useId();

  // An accepted value (ours or another user's) replaces a draft that it matches.
  useEffect(() => {
    setDraft((current) => (current !== null && String(value) === current ? null : current));
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const send = (text: string) => {
    const parsed = kind === "pattern" || text.trim() === "" ? text : Number(text);
    const set = { [name]: Number.isNaN(parsed) ? text : parsed };
    update.call({ project, set }).then(
      () => setRefusal(null),
      (error: unknown) => setRefusal(refusalFor(error, name)),
    );
  };
  const change = (text: string) => {
    setDraft(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => send(text), DEBOUNCE);
  };
  const accept = (suggested: unknown) => {
    clearTimeout(timer.current);
    setDraft(String(suggested));
    send(String(suggested));
  };

  const shown = draft ?? (value === undefined ? "" : String(value));
  const errorId = `${id}-error`;
  return (
    <div className={`field${refusal ? " field--invalid" : ""}`}>
      {label && <label htmlFor={id}>{label}</label>}
      <div className="field__input">
        {kind === "pattern" ? (
          <select
            id={id}
            value={shown}
            aria-label={ariaLabel}
            onChange={(event) => change(event.target.value)}
          >
            {PATTERNS.map((pattern) => (
              <option key={pattern} value={pattern}>
                {pattern}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            inputMode="decimal"
            value={shown}
            step={step}
            aria-label={ariaLabel}
            aria-invalid={refusal !== null}
            aria-describedby={refusal ? errorId : undefined}
            onChange={(event) => change(event.target.value)}
          />
        )}
        {unit && <span className="field__unit">{unit}</span>}
      </div>
      {refusal && (
        <p className="field__error" id={errorId} role="alert">
          {refusal.message}
          {refusal.suggested !== undefined && (
            <>
              {" "}
              <button type="button" className="link" onClick={() => accept(refusal.suggested)}>
                Use {String(refusal.suggested)}
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}

/** Every parameter of the project. */
export function Parameters({
  project,
  values,
}: {
  project: string;
  values: Readonly<Record<string, unknown>>;
}) {
  return (
    <section className="card parameters" aria-labelledby="parameters-title">
      <h2 id="parameters-title">Parameters</h2>
      <div className="parameters__row">
        <ParameterField
          project={project}
          name="frequency"
          label="Frequency"
          unit="Hz"
          value={values.frequency}
        />
        <ParameterField
          project={project}
          name="grid.resolution"
          label="Grid resolution"
          unit="m"
          value={values["grid.resolution"]}
        />
      </div>
      <table className="sources">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Power (dB)</th>
            <th scope="col">Angle (°)</th>
            <th scope="col">Pattern</th>
          </tr>
        </thead>
        <tbody>
          {PROJECT_SOURCES.map(({ id }, index) => (
            <tr key={id}>
              <th scope="row">
                <span className="source-number" aria-hidden="true">
                  {index + 1}
                </span>{" "}
                {id}
              </th>
              <td>
                <ParameterField
                  project={project}
                  name={sourceKey(id, "power")}
                  label=""
                  ariaLabel={`${id} power`}
                  value={values[sourceKey(id, "power")]}
                />
              </td>
              <td>
                <ParameterField
                  project={project}
                  name={sourceKey(id, "angle")}
                  label=""
                  ariaLabel={`${id} angle`}
                  value={values[sourceKey(id, "angle")]}
                />
              </td>
              <td>
                <ParameterField
                  project={project}
                  name={sourceKey(id, "pattern")}
                  label=""
                  kind="pattern"
                  ariaLabel={`${id} pattern`}
                  value={values[sourceKey(id, "pattern")]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
