import { useEffect, useRef } from "react";
import uPlot from "uplot";

const HEALTH = "#2f6fde";
const ALIVE = "#d9822b";

/**
 * System health (left axis, %) and alive agents (right axis) per timestep, drawn by uPlot.
 * `data-count` is the number of steps drawn and `data-last` the last timestep.
 */
export function HealthChart({
  steps,
  agents,
  total,
}: {
  steps: readonly [number, number, number][];
  agents: number;
  total: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(steps);
  latest.current = steps;

  useEffect(() => {
    const element = box.current as HTMLDivElement;
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 280,
        scales: {
          x: { time: false, range: (_u, min, max) => [1, Math.max(max, min + 1, total)] },
          health: { range: [0, 1] },
          agents: { range: [0, Math.max(1, agents)] },
        },
        axes: [
          { label: "Timestep", stroke: "#5d6675", grid: { stroke: "#eef0f3" } },
          {
            scale: "health",
            label: "System health",
            stroke: HEALTH,
            values: (_u, ticks) => ticks.map((tick) => `${Math.round(tick * 100)}%`),
            grid: { stroke: "#eef0f3" },
          },
          {
            scale: "agents",
            side: 1,
            label: "Alive agents",
            stroke: ALIVE,
            grid: { show: false },
          },
        ],
        series: [
          { label: "Timestep" },
          {
            label: "System health",
            scale: "health",
            stroke: HEALTH,
            width: 2,
            fill: "rgb(47 111 222 / 8%)",
            value: (_u, value) => (value == null ? "–" : `${(value * 100).toFixed(1)}%`),
          },
          { label: "Alive agents", scale: "agents", stroke: ALIVE, width: 2 },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      columns(latest.current),
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(320, element.clientWidth), height: 280 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [agents, total]);

  useEffect(() => {
    plot.current?.setData(columns(steps));
  }, [steps]);

  const last = steps[steps.length - 1];
  return (
    <div
      ref={box}
      className="health-chart"
      role="img"
      aria-label={
        last
          ? `System health ${Math.round(last[1] * 100)}% and ${last[2]} alive agents at timestep ${last[0]}`
          : "No steps yet"
      }
      data-count={steps.length}
      data-last={last?.[0] ?? 0}
    />
  );
}

function columns(steps: readonly [number, number, number][]): uPlot.AlignedData {
  return [steps.map((step) => step[0]), steps.map((step) => step[1]), steps.map((step) => step[2])];
}
