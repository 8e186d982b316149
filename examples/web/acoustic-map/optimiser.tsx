/**
 * The optimiser: Optimise / Stop, the job's progress, a live uPlot chart of the best and the
 * mean fitness of each generation (the job's chunks, so a late joiner gets the whole curve),
 * and "Apply layout" to move the sources to the best one found.
 */
import { useJob, useRpc } from "@switchyard/react";
import { JobProgress } from "@switchyard/react/components";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { GenerationReport } from "../../acoustic-map/optimizer.js";
import { sourceKey } from "../../acoustic-map/project-keys.js";

const ACTIVE = new Set(["queued", "running", "cancelling"]);

/** The generations of an optimiser job, in order. */
export function generationsOf(chunks: readonly { index: number; data: unknown }[]) {
  return chunks.map((chunk) => chunk.data as GenerationReport);
}

function FitnessChart({ generations }: { generations: readonly GenerationReport[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: element.clientWidth || 360,
        height: 180,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { label: "generation", size: 36, labelSize: 14, stroke: "#5d6675" },
          { label: "fitness (dB)", size: 48, labelSize: 14, stroke: "#5d6675" },
        ],
        series: [
          { label: "generation" },
          { label: "best", stroke: "#2f6fde", width: 2, value: (_u, v) => v?.toFixed(2) ?? "–" },
          {
            label: "mean",
            stroke: "#e07b39",
            width: 1.5,
            dash: [5, 4],
            value: (_u, v) => v?.toFixed(2) ?? "–",
          },
        ],
      },
      [[], [], []],
      element,
    );
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: element.clientWidth, height: 180 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData([
      generations.map((report) => report.generation),
      generations.map((report) => report.best),
      generations.map((report) => report.mean),
    ]);
  }, [generations]);

  return (
    <div
      className="chart"
      ref={box}
      role="img"
      aria-label={
        generations.length === 0
          ? "Fitness per generation: no generation yet"
          : `Fitness per generation: ${generations.length} generations, best ${generations.at(-1)?.best.toFixed(2)} dB`
      }
    />
  );
}

export interface OptimiserProps {
  project: string;
  jobId: string | null;
  generations: readonly GenerationReport[];
  onStart(): void;
  onStop(jobId: string): void;
}

export function Optimiser({ project, jobId, generations, onStart, onStop }: OptimiserProps) {
  const job = useJob(jobId);
  const update = useRpc("project.update");
  const running = job.status !== null && ACTIVE.has(job.status);
  const best = generations.at(-1);
  const apply = () => {
    if (!best) return;
    const set: Record<string, number> = {};
    for (const source of best.bestConfiguration) {
      set[sourceKey(source.id, "x")] = Math.round(source.x * 100) / 100;
      set[sourceKey(source.id, "y")] = Math.round(source.y * 100) / 100;
    }
    update.run({ project, set });
  };
  return (
    <section className="card optimiser" aria-labelledby="optimiser-title">
      <div className="card__head">
        <h2 id="optimiser-title">Optimiser</h2>
        <div className="actions">
          {running ? (
            <button type="button" className="danger" onClick={() => jobId && onStop(jobId)}>
              Stop optimiser
            </button>
          ) : (
            <button type="button" className="primary" onClick={onStart}>
              Optimise
            </button>
          )}
        </div>
      </div>
      <p className="muted small">
        A genetic algorithm moves the sources to make the level even over the room and above the
        minimum. Fitness = −(spread + shortfall) in dB; 0 is perfect.
      </p>
      {generations.length === 0 && (
        <p className="chart__empty">No run yet: the chart fills in generation by generation.</p>
      )}
      <FitnessChart generations={generations} />
      {jobId && <JobProgress jobId={jobId} name="Optimisation" cancellable={false} />}
      {best && !running && (
        <div className="optimiser__result">
          <span>
            Best after {best.generation} generations: <strong>{best.best.toFixed(2)} dB</strong>
          </span>
          <button type="button" onClick={apply} disabled={update.pending}>
            Apply layout
          </button>
        </div>
      )}
    </section>
  );
}
