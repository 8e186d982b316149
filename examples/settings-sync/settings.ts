/**
 * The settings of the graph visualiser (the seed's settings service): every key with its
 * category, label, kind, bounds and default, and the three quality presets. Plain data, shared
 * by the hub (which builds a schema per key from it, `schema.ts`) and the settings panel (which
 * draws a control per kind from it).
 */

/** The state document's name: clients follow the channel `state:settings`. */
export const DOCUMENT = "settings";

/** A number: a slider with its value, and a field for an exact value. */
export interface NumberSetting {
  readonly kind: "number";
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** Whole numbers only. */
  readonly integer?: boolean;
  readonly unit?: string;
  readonly default: number;
}

/** On or off: a switch. */
export interface BooleanSetting {
  readonly kind: "boolean";
  readonly default: boolean;
}

/** One of a few values: a select. */
export interface ChoiceSetting {
  readonly kind: "choice";
  readonly options: readonly string[];
  readonly default: string;
}

/** A colour as `#rrggbb`: a colour picker. */
export interface ColorSetting {
  readonly kind: "color";
  readonly default: string;
}

export type SettingSpec = (NumberSetting | BooleanSetting | ChoiceSetting | ColorSetting) & {
  readonly label: string;
  /** One line on what it does. */
  readonly help?: string;
};

export type SettingValue = number | boolean | string;

/** The categories, in the panel's order. */
export const CATEGORIES = [
  { id: "physics", title: "Physics", what: "The force-directed layout's simulation" },
  { id: "performance", title: "Performance", what: "Frame rate, memory and work per frame" },
  { id: "rendering", title: "Rendering", what: "Lighting, shadows and post-processing" },
  { id: "nodes", title: "Nodes", what: "How the graph's nodes look" },
  { id: "edges", title: "Edges", what: "How the links between nodes look" },
  { id: "labels", title: "Labels", what: "Node names on screen" },
  { id: "camera", title: "Camera", what: "View and navigation" },
  { id: "interaction", title: "Interaction", what: "Selection, hovering and dragging" },
] as const;

export type CategoryId = (typeof CATEGORIES)[number]["id"];

const num = (
  label: string,
  min: number,
  max: number,
  step: number,
  value: number,
  extra: { unit?: string; help?: string; integer?: boolean } = {},
): SettingSpec => ({ kind: "number", label, min, max, step, default: value, ...extra });
const int = (
  label: string,
  min: number,
  max: number,
  step: number,
  value: number,
  extra: { unit?: string; help?: string } = {},
): SettingSpec => num(label, min, max, step, value, { ...extra, integer: true });
const flag = (label: string, value: boolean, help?: string): SettingSpec => ({
  kind: "boolean",
  label,
  default: value,
  ...(help === undefined ? {} : { help }),
});
const choice = (label: string, options: string[], value: string, help?: string): SettingSpec => ({
  kind: "choice",
  label,
  options,
  default: value,
  ...(help === undefined ? {} : { help }),
});
const color = (label: string, value: string): SettingSpec => ({
  kind: "color",
  label,
  default: value,
});

/** Every setting, by key (`<category>.<name>`), in the panel's order within each category. */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  "physics.enabled": flag("Simulation running", true, "Pause to freeze the layout"),
  "physics.damping": num("Damping", 0, 1, 0.01, 0.95, { help: "Velocity kept per step" }),
  "physics.iterations": int("Iterations", 10, 1000, 10, 200, { help: "Solver steps per frame" }),
  "physics.springStrength": num("Spring strength", 0, 1, 0.01, 0.2),
  "physics.repulsion": int("Repulsion", 0, 5000, 50, 1000),
  "physics.gravity": num("Gravity", 0, 1, 0.01, 0.05, { help: "Pull towards the centre" }),
  "physics.maxVelocity": num("Max velocity", 1, 100, 1, 20),
  "physics.timeStep": num("Time step", 0.001, 0.1, 0.001, 0.016, { unit: "s" }),
  "physics.temperature": num("Temperature", 0, 1, 0.01, 0.3, { help: "Initial jitter" }),
  "physics.collisionRadius": num("Collision radius", 0, 50, 1, 8),
  "physics.solver": choice("Solver", ["direct", "barnes-hut", "gpu"], "barnes-hut"),
  "physics.theta": num("Barnes–Hut θ", 0.1, 1.5, 0.05, 0.8, { help: "Accuracy against speed" }),

  "performance.targetFPS": int("Target frame rate", 15, 240, 15, 60, { unit: "fps" }),
  "performance.gpuMemoryLimit": int("GPU memory limit", 256, 16384, 256, 2048, { unit: "MB" }),
  "performance.maxNodes": int("Max nodes", 1000, 200000, 1000, 50000),
  "performance.workerThreads": int("Worker threads", 1, 16, 1, 4),
  "performance.adaptiveQuality": flag("Adaptive quality", true, "Lower quality under load"),
  "performance.frustumCulling": flag("Frustum culling", true),
  "performance.lodBias": num("Level-of-detail bias", 0, 2, 0.1, 1),
  "performance.updateThrottle": int("Update throttle", 0, 100, 5, 16, { unit: "ms" }),
  "performance.gpuCompute": flag("GPU compute", true),
  "performance.batchSize": int("Batch size", 64, 4096, 64, 1024),

  "rendering.antialiasing": choice(
    "Antialiasing",
    ["off", "fxaa", "msaa2x", "msaa4x", "msaa8x"],
    "msaa4x",
  ),
  "rendering.shadows": flag("Shadows", true),
  "rendering.shadowQuality": choice("Shadow quality", ["low", "medium", "high", "ultra"], "medium"),
  "rendering.bloom": flag("Bloom", true),
  "rendering.bloomStrength": num("Bloom strength", 0, 3, 0.1, 1),
  "rendering.ambientOcclusion": flag("Ambient occlusion", false),
  "rendering.resolutionScale": num("Resolution scale", 0.5, 2, 0.05, 1, { unit: "×" }),
  "rendering.textureQuality": choice("Texture quality", ["low", "medium", "high"], "high"),
  "rendering.anisotropy": int("Anisotropic filtering", 1, 16, 1, 4, { unit: "×" }),
  "rendering.ambientLight": num("Ambient light", 0, 2, 0.05, 0.6),
  "rendering.directionalLight": num("Directional light", 0, 3, 0.05, 1),
  "rendering.vsync": flag("Vertical sync", true),
  "rendering.hdr": flag("HDR", false),
  "rendering.toneMapping": choice("Tone mapping", ["none", "aces", "filmic", "reinhard"], "aces"),
  "rendering.backgroundColor": color("Background", "#0f1420"),

  "nodes.baseSize": num("Base size", 0.1, 10, 0.1, 1.5),
  "nodes.sizeByDegree": flag("Size by degree", true),
  "nodes.opacity": num("Opacity", 0, 1, 0.01, 0.95),
  "nodes.metalness": num("Metalness", 0, 1, 0.01, 0.3),
  "nodes.roughness": num("Roughness", 0, 1, 0.01, 0.5),
  "nodes.glow": flag("Glow", true),
  "nodes.glowIntensity": num("Glow intensity", 0, 3, 0.1, 0.8),
  "nodes.shape": choice("Shape", ["sphere", "cube", "icosahedron"], "sphere"),
  "nodes.segments": int("Geometry segments", 4, 64, 4, 24),
  "nodes.color": color("Colour", "#4f8ff7"),
  "nodes.highlightColor": color("Highlight colour", "#ffb020"),

  "edges.width": num("Width", 0.1, 5, 0.1, 0.6),
  "edges.opacity": num("Opacity", 0, 1, 0.01, 0.6),
  "edges.curved": flag("Curved", false),
  "edges.arrows": flag("Arrows", true),
  "edges.arrowSize": num("Arrow size", 0.1, 3, 0.1, 0.8),
  "edges.flowAnimation": flag("Flow animation", false),
  "edges.flowSpeed": num("Flow speed", 0, 5, 0.1, 1),
  "edges.color": color("Colour", "#8a94a6"),

  "labels.visible": flag("Show labels", true),
  "labels.fontSize": int("Font size", 8, 32, 1, 14, { unit: "px" }),
  "labels.maxVisible": int("Most labels shown", 0, 2000, 50, 300),
  "labels.showOnHover": flag("Only on hover", false),
  "labels.billboard": flag("Face the camera", true),
  "labels.outline": num("Outline width", 0, 4, 0.5, 1, { unit: "px" }),

  "camera.fov": int("Field of view", 30, 120, 1, 60, { unit: "°" }),
  "camera.nearPlane": num("Near plane", 0.01, 10, 0.01, 0.1),
  "camera.farPlane": int("Far plane", 100, 20000, 100, 5000),
  "camera.orbitSpeed": num("Orbit speed", 0.1, 5, 0.1, 1),
  "camera.zoomSpeed": num("Zoom speed", 0.1, 5, 0.1, 1.2),
  "camera.autoRotate": flag("Auto-rotate", false),

  "interaction.selectionMode": choice("Selection", ["single", "multiple", "lasso"], "single"),
  "interaction.hoverDelay": int("Hover delay", 0, 1000, 25, 150, { unit: "ms" }),
  "interaction.doubleClickZoom": flag("Double-click to zoom", true),
  "interaction.dragSensitivity": num("Drag sensitivity", 0.1, 3, 0.1, 1),
};

/** The category of a key: the part before the first dot. */
export function categoryOf(key: string): CategoryId {
  return key.slice(0, key.indexOf(".")) as CategoryId;
}

/** The keys of one category, in order. */
export function keysOf(category: CategoryId): string[] {
  return Object.keys(SETTINGS).filter((key) => categoryOf(key) === category);
}

/** Every key's default. */
export const DEFAULTS: Readonly<Record<string, SettingValue>> = Object.fromEntries(
  Object.entries(SETTINGS).map(([key, spec]) => [key, spec.default]),
);

/**
 * The three quality presets. Each sets every setting except the colours (a quality level says
 * nothing about the look): one atomic write of about 70 keys.
 */
export const PRESET_NAMES = ["low", "medium", "high"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export const PRESET_TITLES: Record<PresetName, string> = {
  low: "Low quality",
  medium: "Medium quality",
  high: "High quality",
};

const QUALITY: Record<PresetName, Record<string, SettingValue>> = {
  low: {
    "physics.iterations": 50,
    "physics.solver": "barnes-hut",
    "physics.theta": 1.2,
    "physics.collisionRadius": 0,
    "performance.targetFPS": 30,
    "performance.gpuMemoryLimit": 1024,
    "performance.maxNodes": 10000,
    "performance.workerThreads": 2,
    "performance.lodBias": 1.8,
    "performance.updateThrottle": 33,
    "performance.gpuCompute": false,
    "performance.batchSize": 256,
    "rendering.antialiasing": "off",
    "rendering.shadows": false,
    "rendering.shadowQuality": "low",
    "rendering.bloom": false,
    "rendering.bloomStrength": 0,
    "rendering.ambientOcclusion": false,
    "rendering.resolutionScale": 0.75,
    "rendering.textureQuality": "low",
    "rendering.anisotropy": 1,
    "rendering.hdr": false,
    "rendering.toneMapping": "none",
    "nodes.glow": false,
    "nodes.glowIntensity": 0,
    "nodes.shape": "cube",
    "nodes.segments": 8,
    "edges.curved": false,
    "edges.arrows": false,
    "edges.flowAnimation": false,
    "labels.maxVisible": 50,
    "labels.outline": 0,
    "camera.farPlane": 2000,
  },
  medium: {},
  high: {
    "physics.iterations": 500,
    "physics.solver": "gpu",
    "physics.theta": 0.5,
    "physics.collisionRadius": 12,
    "performance.targetFPS": 60,
    "performance.gpuMemoryLimit": 4096,
    "performance.maxNodes": 150000,
    "performance.workerThreads": 8,
    "performance.lodBias": 0.5,
    "performance.updateThrottle": 8,
    "performance.gpuCompute": true,
    "performance.batchSize": 2048,
    "rendering.antialiasing": "msaa8x",
    "rendering.shadows": true,
    "rendering.shadowQuality": "ultra",
    "rendering.bloom": true,
    "rendering.bloomStrength": 1.4,
    "rendering.ambientOcclusion": true,
    "rendering.resolutionScale": 1.5,
    "rendering.textureQuality": "high",
    "rendering.anisotropy": 16,
    "rendering.hdr": true,
    "rendering.toneMapping": "aces",
    "nodes.glow": true,
    "nodes.glowIntensity": 1.2,
    "nodes.shape": "icosahedron",
    "nodes.segments": 48,
    "edges.curved": true,
    "edges.arrows": true,
    "edges.flowAnimation": true,
    "labels.maxVisible": 1000,
    "labels.outline": 1.5,
    "camera.farPlane": 10000,
  },
};

/** The presets as the hub applies them: every non-colour key, the quality's values over the defaults. */
export const PRESETS: Readonly<Record<PresetName, Readonly<Record<string, SettingValue>>>> =
  Object.fromEntries(
    PRESET_NAMES.map((name) => [
      name,
      Object.fromEntries(
        Object.entries(SETTINGS)
          .filter(([, spec]) => spec.kind !== "color")
          .map(([key, spec]) => [key, QUALITY[name][key] ?? spec.default]),
      ),
    ]),
  ) as Record<PresetName, Record<string, SettingValue>>;
