/**
 * Starts an analysis: a synthetic stack, an algorithm and its parameters, how fast to go, and
 * (to see the failure path) a simulated loss of the worker. The hub checks every value
 * (`invalid_data` names the parameter) and answers with the job to follow.
 */
import { useRpc } from "@switchyard/react";
import { type FormEvent, useId, useState } from "react";
import {
  ALGORITHMS,
  type AlgorithmId,
  type AnalysisStartInput,
  type AnalysisStartReply,
  FAILURE_POINTS,
  messageOf,
  STACKS,
} from "./model.js";

const PACES = [
  { ms: 0, name: "Full speed" },
  { ms: 15, name: "15 ms a slice" },
  { ms: 40, name: "40 ms a slice" },
] as const;

export function AnalysisForm({ onStarted }: { onStarted: (jobId: string) => void }) {
  const id = useId();
  const start = useRpc("analysis.start");
  const [stack, setStack] = useState(STACKS[0]!.id);
  const [algorithm, setAlgorithm] = useState<AlgorithmId>("otsu");
  const [sigma, setSigma] = useState(1);
  const [minVoxels, setMinVoxels] = useState(10);
  const [threshold, setThreshold] = useState(0.35);
  const [pace, setPace] = useState(15);
  const [failAt, setFailAt] = useState(0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const preset = STACKS.find((candidate) => candidate.id === stack) ?? STACKS[0]!;
    const input: AnalysisStartInput = {
      ...preset.input,
      algorithm,
      sigma,
      minVoxels,
      threshold,
      sliceDelayMs: pace,
      failAt: failAt === 0 ? null : failAt,
      awaitReview: true,
    };
    start.call(input).then(
      (reply) => onStarted((reply as AnalysisStartReply).jobId),
      () => {}, // shown from start.error
    );
  };

  return (
    <form className="card zs-form" onSubmit={submit} aria-label="New analysis">
      <h2>New analysis</h2>
      <fieldset className="zs-stacks">
        <legend>Synthetic stack</legend>
        {STACKS.map((preset) => (
          <label key={preset.id} className="zs-stack">
            <input
              type="radio"
              name={`${id}-stack`}
              value={preset.id}
              checked={stack === preset.id}
              onChange={() => setStack(preset.id)}
            />
            <strong>{preset.name}</strong>
            <small>{preset.description}</small>
          </label>
        ))}
      </fieldset>
      <div className="zs-field">
        <label htmlFor={`${id}-algorithm`}>Algorithm</label>
        <select
          id={`${id}-algorithm`}
          value={algorithm}
          onChange={(event) => setAlgorithm(event.target.value as AlgorithmId)}
        >
          {ALGORITHMS.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </select>
      </div>
      <div className="zs-row">
        <div className="zs-field">
          <label htmlFor={`${id}-sigma`}>Blur σ (voxels)</label>
          <input
            id={`${id}-sigma`}
            type="number"
            min={0}
            max={5}
            step={0.5}
            value={sigma}
            onChange={(event) => setSigma(event.target.valueAsNumber)}
          />
        </div>
        <div className="zs-field">
          <label htmlFor={`${id}-min`}>Min. voxels</label>
          <input
            id={`${id}-min`}
            type="number"
            min={1}
            max={10000}
            step={1}
            value={minVoxels}
            onChange={(event) => setMinVoxels(event.target.valueAsNumber)}
          />
        </div>
        {algorithm === "fixed" ? (
          <div className="zs-field">
            <label htmlFor={`${id}-threshold`}>Threshold</label>
            <input
              id={`${id}-threshold`}
              type="number"
              min={0}
              max={2}
              step={0.05}
              value={threshold}
              onChange={(event) => setThreshold(event.target.valueAsNumber)}
            />
          </div>
        ) : null}
      </div>
      <div className="zs-row">
        <div className="zs-field">
          <label htmlFor={`${id}-pace`}>Pace</label>
          <select
            id={`${id}-pace`}
            value={pace}
            onChange={(event) => setPace(Number(event.target.value))}
          >
            {PACES.map((option) => (
              <option key={option.ms} value={option.ms}>
                {option.name}
              </option>
            ))}
          </select>
        </div>
        <div className="zs-field">
          <label htmlFor={`${id}-fail`}>Simulate a failure</label>
          <select
            id={`${id}-fail`}
            value={failAt}
            onChange={(event) => setFailAt(Number(event.target.value))}
          >
            <option value={0}>Never</option>
            {FAILURE_POINTS.map((name, index) => (
              <option key={name} value={index + 1}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {start.error ? (
        <p className="zs-error" role="alert">
          {messageOf(start.error)}
        </p>
      ) : null}
      <button type="submit" className="primary zs-start" disabled={start.pending}>
        {start.pending ? "Starting…" : "Start analysis"}
      </button>
    </form>
  );
}
