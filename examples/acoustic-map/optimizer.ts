/**
 * A genetic optimiser of source positions: where should the loudspeakers stand so that the
 * level is even over a target area and nowhere below a minimum?
 *
 * A genome is one position per source (power, pattern and angle stay as given). Each
 * generation keeps the `elitism` best genomes unchanged and breeds the rest: two parents by
 * tournament selection, uniform crossover (each source's position from one parent or the
 * other), then Gaussian mutation of each coordinate. A position that mutates out of the room
 * is pulled back to the nearest point inside it.
 */
import { type Random, seededRandom } from "./random.js";
import { boundsOf, nearestInside, type Point, pointInPolygon } from "./room.js";
import { cellCentre, gridOver, type Source, splAt, statsOf } from "./spl.js";

/** What is optimised. */
export interface OptimizerProblem {
  /** The sources; their positions are the starting layout (one genome of the first population). */
  sources: readonly Source[];
  /** The room polygon: every position stays inside it. */
  room: readonly Point[];
  /**
   * The area where the level matters (an audience area).
   * @default the room
   */
  target?: readonly Point[];
  /** Level (dB) every point of the target should reach. */
  minLevel: number;
  /** Cell size (metres) of the grid the fitness is evaluated on. */
  resolution: number;
  /**
   * Air absorption in dB per metre (`airAbsorption(frequency)`).
   * @default 0
   */
  absorption?: number;
}

/** How the optimiser searches. */
export interface OptimizerSettings {
  /** Genomes per generation. */
  population: number;
  /** Generations to breed. */
  generations: number;
  /** Genomes drawn for each tournament; the fittest of them is a parent. */
  tournament: number;
  /** Best genomes copied unchanged into the next generation (so the best never gets worse). */
  elitism: number;
  /** Probability that two parents are crossed rather than the first copied. */
  crossoverRate: number;
  /** Probability that a coordinate mutates. */
  mutationRate: number;
  /** Standard deviation of a mutation in metres. */
  sigma: number;
  /** Seed of the random generator: the same seed replays the same run. */
  seed: number;
}

/** The defaults of {@link OptimizerSettings} (the seed is random when absent). */
export const DEFAULT_OPTIMIZER_SETTINGS: Omit<OptimizerSettings, "seed"> = {
  population: 24,
  generations: 30,
  tournament: 3,
  elitism: 2,
  crossoverRate: 0.9,
  mutationRate: 0.3,
  sigma: 0.75,
};

/** One generation's figures, published as the optimiser's job chunk. */
export interface GenerationReport {
  /** 1 for the first bred generation. */
  generation: number;
  /** Fitness of the best genome (dB; higher is better, 0 is perfect). */
  best: number;
  /** Mean fitness of the population. */
  mean: number;
  /** The sources at the best genome's positions. */
  bestConfiguration: Source[];
}

type Genome = Point[];

/**
 * The fitness of a layout over the target cells: −(standard deviation of the level + mean
 * shortfall below `minLevel`), both in dB. 0 is an even map that reaches the minimum
 * everywhere; every dB of spread or of shortfall costs one point.
 */
export function createFitness(problem: OptimizerProblem): (sources: readonly Source[]) => number {
  const target = problem.target ?? problem.room;
  const grid = gridOver(target, problem.resolution);
  const points: Point[] = [];
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      const point = cellCentre(grid, col, row);
      if (pointInPolygon(point, target) && pointInPolygon(point, problem.room)) points.push(point);
    }
  }
  if (points.length === 0) throw new RangeError("The target area holds no grid cell");
  const absorption = problem.absorption ?? 0;
  return (sources) => {
    const levels = points.map((point) => splAt(sources, point, absorption));
    let shortfall = 0;
    for (const level of levels) shortfall += Math.max(0, problem.minLevel - level);
    return -(statsOf(levels).std + shortfall / levels.length);
  };
}

/** Breeds generations one at a time (`next()`), so a caller can report and stop in between. */
export class GeneticOptimizer {
  readonly #problem: OptimizerProblem;
  readonly #settings: OptimizerSettings;
  readonly #random: Random;
  readonly #fitness: (sources: readonly Source[]) => number;
  #population: { genome: Genome; fitness: number }[];
  #generation = 0;

  constructor(problem: OptimizerProblem, settings: OptimizerSettings) {
    this.#problem = problem;
    this.#settings = settings;
    this.#random = seededRandom(settings.seed);
    this.#fitness = createFitness(problem);
    const start = problem.sources.map(({ x, y }) => ({ x, y }));
    const genomes = [start];
    while (genomes.length < settings.population) {
      genomes.push(problem.sources.map(() => this.#randomPosition()));
    }
    this.#population = genomes.map((genome) => this.#evaluate(genome));
  }

  /** The last generation bred (0 before the first `next()`). */
  get generation(): number {
    return this.#generation;
  }

  /** True once `settings.generations` generations were bred. */
  get done(): boolean {
    return this.#generation >= this.#settings.generations;
  }

  /** Breeds the next generation and reports it. */
  next(): GenerationReport {
    const { population, elitism, crossoverRate } = this.#settings;
    const ranked = [...this.#population].sort((a, b) => b.fitness - a.fitness);
    const next = ranked.slice(0, elitism);
    while (next.length < population) {
      const first = this.#tournament();
      const second = this.#tournament();
      const child =
        this.#random.next() < crossoverRate
          ? first.map((gene, i) => (this.#random.next() < 0.5 ? gene : (second[i] as Point)))
          : first.map((gene) => ({ ...gene }));
      next.push(this.#evaluate(this.#mutate(child)));
    }
    this.#population = next;
    this.#generation++;
    return this.report();
  }

  /** The current population's figures. */
  report(): GenerationReport {
    let best = this.#population[0] as { genome: Genome; fitness: number };
    let sum = 0;
    for (const member of this.#population) {
      sum += member.fitness;
      if (member.fitness > best.fitness) best = member;
    }
    return {
      generation: this.#generation,
      best: best.fitness,
      mean: sum / this.#population.length,
      bestConfiguration: this.#sourcesAt(best.genome),
    };
  }

  #evaluate(genome: Genome) {
    return { genome, fitness: this.#fitness(this.#sourcesAt(genome)) };
  }

  #sourcesAt(genome: Genome): Source[] {
    return this.#problem.sources.map((source, i) => ({
      ...source,
      x: (genome[i] as Point).x,
      y: (genome[i] as Point).y,
    }));
  }

  #tournament(): Genome {
    let winner = this.#population[this.#random.int(this.#population.length)];
    for (let round = 1; round < this.#settings.tournament; round++) {
      const rival = this.#population[this.#random.int(this.#population.length)];
      if (rival && winner && rival.fitness > winner.fitness) winner = rival;
    }
    return (winner as { genome: Genome }).genome;
  }

  #mutate(genome: Genome): Genome {
    const { mutationRate, sigma } = this.#settings;
    return genome.map((gene) => {
      const moved = {
        x: this.#random.next() < mutationRate ? gene.x + sigma * this.#random.gaussian() : gene.x,
        y: this.#random.next() < mutationRate ? gene.y + sigma * this.#random.gaussian() : gene.y,
      };
      return nearestInside(moved, this.#problem.room) ?? gene;
    });
  }

  #randomPosition(): Point {
    const { minX, minY, maxX, maxY } = boundsOf(this.#problem.room);
    // Rejection sampling in the bounding box; a room covers a fair share of it.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const point = {
        x: minX + this.#random.next() * (maxX - minX),
        y: minY + this.#random.next() * (maxY - minY),
      };
      if (pointInPolygon(point, this.#problem.room)) return point;
    }
    const { x, y } = this.#problem.sources[0] as Source;
    return { x, y };
  }
}
