/**
 * The results of one completed analysis: what the analyser measured (objects found against
 * cells planted, specks dropped, threshold, contrast-to-noise, confidence, the review's
 * decision), a slice with the segmentation drawn over it, each step's summary, and the objects
 * table.
 */
import { useJob } from "@switchyard/react";
import { type AnalysisResult, algorithmName, metaOf, stackName } from "./model.js";
import { objectColour, SliceView } from "./SliceView.js";

function Figure({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div className={`zs-figure${tone ? ` zs-figure--${tone}` : ""}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** One line of a step's chunk: its figures as "key value". */
function summary(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data as Record<string, unknown>)
    .filter(([key]) => key !== "step")
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(", ");
}

export function ResultsView({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  const meta = metaOf(job);
  const result = job.status === "completed" ? (job.result as AnalysisResult) : null;

  return (
    <section className="card zs-results" aria-label="Results">
      <h2>
        Results
        {meta ? (
          <span className="muted zs-count">
            {stackName(meta.parameters)} · {algorithmName(meta.algorithm)}
          </span>
        ) : null}
      </h2>
      {result === null ? (
        <p className="muted">
          {job.status === null ? "Loading…" : "This analysis has no results (yet)."}
        </p>
      ) : (
        <div className="zs-results__body">
          <SliceView jobId={jobId} />
          <div className="zs-results__data">
            <dl className="zs-figures">
              <Figure
                label="Objects"
                value={`${result.objects.length} of ${result.blobsPlanted}`}
              />
              <Figure label="Specks dropped" value={String(result.specks)} />
              <Figure label="Threshold" value={result.threshold.toFixed(3)} />
              <Figure label="Contrast / noise" value={result.contrastToNoise.toFixed(2)} />
              <Figure
                label="Confidence"
                value={result.confidence.toFixed(2)}
                tone={result.confidence < 0.7 ? "warn" : "ok"}
              />
              <Figure label="Time" value={`${(result.durationMs / 1000).toFixed(1)} s`} />
              {result.review !== null ? (
                <Figure
                  label="Review"
                  value={result.review === "accepted" ? "Accepted" : "Rejected"}
                  tone={result.review === "accepted" ? "ok" : "bad"}
                />
              ) : null}
            </dl>
            <ol className="zs-steps" aria-label="Steps">
              {job.chunks.map((chunk) => {
                const data = chunk.data as { step?: string };
                return (
                  <li key={chunk.index}>
                    <strong>{data.step}</strong> <span className="muted">{summary(data)}</span>
                  </li>
                );
              })}
            </ol>
            <div className="zs-table-wrap">
              <table className="zs-objects">
                <caption className="sr-only">Objects</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Voxels</th>
                    <th scope="col">Volume µm³</th>
                    <th scope="col">Centroid x, y, z</th>
                    <th scope="col">Mean</th>
                  </tr>
                </thead>
                <tbody>
                  {result.objects.map((object) => (
                    <tr key={object.id}>
                      <td>
                        <span
                          className="zs-swatch"
                          style={{ background: objectColour(object.id) }}
                          aria-hidden="true"
                        />
                        {object.id}
                      </td>
                      <td>{object.voxels}</td>
                      <td>{object.volume.toFixed(1)}</td>
                      <td>
                        {object.centroid.x.toFixed(1)}, {object.centroid.y.toFixed(1)},{" "}
                        {object.centroid.z.toFixed(1)}
                      </td>
                      <td>{object.meanIntensity.toFixed(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
