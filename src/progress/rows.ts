/**
 * The rows of a live display, laid out in columns: a model's row (spinner, model, bar, percent,
 * sizes, rate, ETA, status), the total row of several pulls, a model's layer rows, and the
 * summary row a finished pull leaves behind.
 *
 * Column widths depend only on the terminal's width and the name column, never on the values
 * shown: the bar does not move when the rate and ETA appear, and rows of different models, and
 * the layer rows of one model, line up. When the width does not allow every column, whole columns
 * are dropped in a fixed order (ETA, rate, status, bar, sizes, percent). The rate and ETA columns
 * are there while bytes are arriving (blank until known), so the layout changes only when the
 * phase does. Every row fits the width
 * it is given (measured in terminal columns, colour codes aside).
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import { formatByteProgress, formatEta, formatPercent, formatRate, renderBar } from "./format.ts";
import { hasBytes, outcomeText, sizeText, statusText } from "./line.ts";
import type { PullLayerSnapshot, PullOutcome, PullProgressSnapshot } from "./progress_state.ts";
import { fitToWidth, padToWidth, textWidth } from "./text_width.ts";

/**
 * The room and style rows are composed for; one per frame.
 *
 * @example
 * ```ts
 * import type { RowLayout } from "./rows.ts";
 *
 * const layout: RowLayout = { width: 79, color: false, nowMs: 0, prefix: "", nameWidth: 13 };
 * ```
 */
export interface RowLayout {
  /** The most columns a row may take. */
  readonly width: number;
  /** Whether to add SGR colour codes. */
  readonly color: boolean;
  /** The current time (animates the spinner and the bar of an unknown total). */
  readonly nowMs: number;
  /** Written before every row (a fleet's host), sanitized; `""` for none. */
  readonly prefix: string;
  /** The width of the name column (the longest model name on screen, bounded). */
  readonly nameWidth: number;
}

/** SGR parameters used for the parts of a row. */
const STYLE = {
  spinner: "36",
  model: "1",
  bar: "36",
  dim: "2",
  ok: "32",
  warn: "33",
  bad: "31",
} as const;

const BAR_MIN = 10;
const BAR_MAX = 30;
const PERCENT = 4; // "100%"
const SIZES = 14; // "999 MB/999 MB+"
const RATE = 8; // "999 MB/s"
const ETA = 6; // "59m59s"
const STATUS_MIN = 12;
const NAME_MIN = 8;
/** The cells of the bar not filled yet: a shade, so no end caps are needed. */
const TRACK = "░";
const SWEEP = "▒▒▒";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * The spinner character for a moment: it advances every 100 ms.
 *
 * @param nowMs The current time.
 * @returns One braille character.
 *
 * @example
 * ```ts
 * import { spinnerFrame } from "./rows.ts";
 *
 * spinnerFrame(0); // "⠋"
 * ```
 */
export function spinnerFrame(nowMs: number): string {
  const step = Number.isFinite(nowMs) ? Math.floor(Math.abs(nowMs) / 100) : 0;
  return SPINNER[step % SPINNER.length];
}

/**
 * A bar for a total that may still grow: the track with a short sweep moving along it, so it
 * shows activity without claiming a fraction.
 *
 * @param cells The bar's width.
 * @param nowMs The current time.
 * @returns Exactly `cells` characters.
 *
 * @example
 * ```ts
 * import { sweepBar } from "./rows.ts";
 *
 * sweepBar(8, 0); // "▒▒▒░░░░░"
 * ```
 */
export function sweepBar(cells: number, nowMs: number): string {
  const span = Math.max(1, cells - SWEEP.length);
  const step = Number.isFinite(nowMs) ? Math.floor(Math.abs(nowMs) / 100) % (2 * span) : 0;
  const at = Math.min(step < span ? step : 2 * span - step, Math.max(0, cells - SWEEP.length));
  const sweep = SWEEP.slice(0, Math.min(SWEEP.length, cells));
  return TRACK.repeat(at) + sweep + TRACK.repeat(Math.max(0, cells - at - sweep.length));
}

interface Cell {
  text: string;
  sgr?: string;
}

/** Joins cells with spaces, drops blank trailing cells, adds colour; never wider than `width`. */
function joinCells(cells: readonly Cell[], width: number, color: boolean): string {
  let last = cells.length - 1;
  while (last >= 0 && cells[last].text.trim() === "") last--;
  const kept = cells.slice(0, last + 1).map((cell, i) =>
    i === last ? { ...cell, text: cell.text.trimEnd() } : cell
  );
  const plain = kept.map((cell) => cell.text).join(" ");
  if (textWidth(plain) > width) return fitToWidth(plain, width);
  if (!color) return plain;
  return kept.map((cell) =>
    cell.sgr && cell.text.trim() !== "" ? `\x1b[${cell.sgr}m${cell.text}\x1b[0m` : cell.text
  ).join(" ");
}

function prefixCells(layout: RowLayout): Cell[] {
  return layout.prefix ? [{ text: layout.prefix, sgr: STYLE.dim }] : [];
}

/**
 * What goes into a row: the parts a model's row and the total row share.
 *
 * @example
 * ```ts
 * import type { RowSpec } from "./rows.ts";
 *
 * const spec: RowSpec = { mark: "⠋", name: "llama3:latest", status: "pulling manifest" };
 * ```
 */
export interface RowSpec {
  /** One column: the spinner, or a symbol. */
  readonly mark: string;
  /** SGR for the mark. */
  readonly markSgr?: string;
  /** The name column's text. */
  readonly name: string;
  /** The byte columns, when there is byte progress to show. */
  readonly bytes?: {
    /** 0..1, `null` for a total that may grow (a sweep), `undefined` for a blank bar column. */
    readonly fraction: number | null | undefined;
    readonly percent: string;
    readonly sizes: string;
    /** The rate and ETA columns: reserved (blank if `""`) while downloading, absent if `undefined`. */
    readonly rate: string | undefined;
    readonly eta: string | undefined;
  };
  /** The status column (the rest of the row). */
  readonly status: string;
  /** SGR for the status. */
  readonly statusSgr?: string;
  /** The status is read first (a phase, a retry, an error): it gets the room before the bar. */
  readonly statusFirst?: boolean;
}

type Column = "bar" | "percent" | "sizes" | "rate" | "eta" | "status";

const COLUMN_WIDTH: Record<Column, number> = {
  bar: BAR_MIN,
  percent: PERCENT,
  sizes: SIZES,
  rate: RATE,
  eta: ETA,
  status: STATUS_MIN,
};

interface Geometry {
  readonly columns: readonly Column[];
  readonly name: number;
  readonly bar: number;
  readonly status: number;
}

/**
 * Where the columns of a row go at this width: which ones fit (dropped whole in a fixed order),
 * the name column's width, the bar's cells (10 to 30, with the room left), the status's room.
 * It depends on the layout and the kind of row only, never on the values shown.
 */
function geometry(
  layout: RowLayout,
  bytes: boolean,
  timing: boolean,
  statusFirst: boolean,
): Geometry {
  const width = Math.max(1, layout.width);
  const prefixWidth = layout.prefix ? textWidth(layout.prefix) + 1 : 0;
  const columns: Column[] = !bytes
    ? ["status"]
    : timing
    ? ["bar", "percent", "sizes", "rate", "eta", "status"]
    : ["bar", "percent", "sizes", "status"];
  const dropOrder: Column[] = statusFirst
    ? ["eta", "rate", "bar", "sizes", "percent", "status"]
    : ["eta", "rate", "status", "bar", "sizes", "percent"];
  let name = Math.max(1, layout.nameWidth);
  const need = () =>
    prefixWidth + 2 + name + columns.reduce((sum, column) => sum + 1 + COLUMN_WIDTH[column], 0);
  for (const column of dropOrder) {
    if (need() <= width) break;
    const at = columns.indexOf(column);
    if (at >= 0) columns.splice(at, 1);
  }
  if (need() > width) name = Math.max(Math.min(name, NAME_MIN), name - (need() - width));
  const spare = Math.max(0, width - need());
  // The bar widens with the room left, unless the status is what to read (then it comes first).
  const room = statusFirst && columns.includes("status") ? Math.max(0, spare - 40) : spare;
  const grow = columns.includes("bar") ? Math.min(room, BAR_MAX - BAR_MIN) : 0;
  return { columns, name, bar: BAR_MIN + grow, status: STATUS_MIN + spare - grow };
}

/**
 * Lays a row out: fixed columns, dropped whole when the width is short, the bar widening up to
 * 30 cells with the room left, the status taking the rest.
 *
 * @param spec What the row shows.
 * @param layout The frame's width, style and name column.
 * @returns The row, at most `layout.width` columns wide.
 *
 * @example
 * ```ts
 * import { layoutRow } from "./rows.ts";
 *
 * layoutRow({ mark: "⠋", name: "m:latest", status: "pulling manifest" }, {
 *   width: 40, color: false, nowMs: 0, prefix: "", nameWidth: 8,
 * }); // "⠋ m:latest pulling manifest"
 * ```
 */
export function layoutRow(spec: RowSpec, layout: RowLayout): string {
  const bytes = spec.bytes;
  const shape = geometry(
    layout,
    bytes !== undefined,
    bytes?.rate !== undefined || bytes?.eta !== undefined,
    spec.statusFirst === true,
  );
  const cells: Cell[] = [
    ...prefixCells(layout),
    { text: spec.mark, sgr: spec.markSgr },
    { text: padToWidth(fitToWidth(spec.name, shape.name), shape.name), sgr: STYLE.model },
  ];
  for (const column of shape.columns) {
    switch (column) {
      case "bar":
        cells.push({
          text: bytes?.fraction === undefined
            ? " ".repeat(shape.bar)
            : bytes.fraction === null
            ? sweepBar(shape.bar, layout.nowMs)
            : renderBar(bytes.fraction, shape.bar, { track: TRACK }),
          sgr: STYLE.bar,
        });
        break;
      case "percent":
        cells.push({ text: padToWidth(bytes?.percent ?? "", PERCENT, true) });
        break;
      case "sizes":
        cells.push({ text: padToWidth(bytes?.sizes ?? "", SIZES) });
        break;
      case "rate":
        cells.push({ text: padToWidth(bytes?.rate ?? "", RATE, true), sgr: STYLE.dim });
        break;
      case "eta":
        cells.push({ text: padToWidth(bytes?.eta ?? "", ETA, true), sgr: STYLE.dim });
        break;
      case "status":
        cells.push({ text: fitToWidth(spec.status, shape.status), sgr: spec.statusSgr });
        break;
    }
  }
  return joinCells(cells, Math.max(1, layout.width), layout.color);
}

/**
 * A model's live row: spinner, model, bar (a sweep while the total may grow), percent (only
 * with an exact total), sizes, rate, ETA, and the status (`layer 2 of 4`, a phase, a retry).
 *
 * @param label The model, sanitized.
 * @param snapshot Its pull.
 * @param layout The frame.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { modelRow } from "./rows.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * modelRow("llama3:latest", progress.snapshot(0), {
 *   width: 79, color: false, nowMs: 0, prefix: "", nameWidth: 13,
 * }); // "⠋ llama3:latest pulling manifest"
 * ```
 */
export function modelRow(label: string, snapshot: PullProgressSnapshot, layout: RowLayout): string {
  const downloading = snapshot.phase === "downloading";
  // Before and while bytes arrive, the rate and ETA columns are held (blank until known), so the
  // bar does not move when they appear; afterwards the status (a phase, a retry) is read first.
  const moving = downloading || snapshot.phase === "starting";
  return layoutRow({
    mark: spinnerFrame(layout.nowMs),
    markSgr: STYLE.spinner,
    name: label,
    bytes: hasBytes(snapshot)
      ? {
        fraction: snapshot.percent === undefined ? null : snapshot.percent / 100,
        percent: snapshot.percent === undefined ? "" : formatPercent(snapshot.percent),
        sizes: sizeText(snapshot),
        rate: !moving
          ? undefined
          : downloading && snapshot.bytesPerSecond > 0
          ? formatRate(snapshot.bytesPerSecond)
          : "",
        eta: !moving
          ? undefined
          : downloading && snapshot.etaSeconds !== undefined
          ? formatEta(snapshot.etaSeconds)
          : "",
      }
      : undefined,
    status: statusText(snapshot),
    statusSgr: snapshot.retry ? STYLE.warn : snapshot.error !== undefined ? STYLE.bad : undefined,
    statusFirst: !moving,
  }, layout);
}

/**
 * What the total row of several pulls sums up.
 *
 * @example
 * ```ts
 * import type { PullTotals } from "./rows.ts";
 *
 * const totals: PullTotals = { active: 2, done: 1, completed: 5e8, total: 9e8, bytesPerSecond: 4e7 };
 * ```
 */
export interface PullTotals {
  /** Pulls in progress. */
  readonly active: number;
  /** Pulls that ended. */
  readonly done: number;
  /** Bytes done over all pulls. */
  readonly completed: number;
  /** Bytes known over all pulls (a lower bound: more pulls or layers may come). */
  readonly total: number;
  /** The sum of the active pulls' rates. */
  readonly bytesPerSecond: number;
}

/**
 * The name the total row shows in the name column: `3 pulls`.
 *
 * @param totals The sums.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { totalName } from "./rows.ts";
 *
 * totalName({ active: 2, done: 1, completed: 0, total: 0, bytesPerSecond: 0 }); // "3 pulls"
 * ```
 */
export function totalName(totals: PullTotals): string {
  return `${totals.active + totals.done} pulls`;
}

/**
 * The total row under several live pulls, in the columns of the model rows (the bar and the
 * percent left blank: more pulls may come): `Σ 3 pulls  1.2 GB/3.4 GB+  140 MB/s  1 done`.
 *
 * @param totals The sums.
 * @param layout The frame.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { totalRow } from "./rows.ts";
 *
 * totalRow({ active: 2, done: 1, completed: 5e8, total: 9e8, bytesPerSecond: 0 }, {
 *   width: 79, color: false, nowMs: 0, prefix: "", nameWidth: 8,
 * }); // "Σ 3 pulls                           500 MB/900 MB+                 1 done"
 * ```
 */
export function totalRow(totals: PullTotals, layout: RowLayout): string {
  return layoutRow({
    mark: "Σ",
    markSgr: STYLE.dim,
    name: totalName(totals),
    bytes: {
      fraction: undefined,
      percent: "",
      sizes: formatByteProgress(totals.completed, totals.total, { totalIsLowerBound: true }),
      rate: totals.bytesPerSecond > 0 ? formatRate(totals.bytesPerSecond) : "",
      eta: "",
    },
    status: `${totals.done} done`,
  }, layout);
}

/**
 * The row a finished pull leaves on screen: `✔ pulled llama3:latest (637 MB in 5s)`, `✔
 * llama3:latest was already complete (…)`, `✘ llama3:latest failed: … at 35% (…)`.
 *
 * @param label The model, sanitized.
 * @param snapshot Its pull, finished.
 * @param outcome How it ended.
 * @param layout The frame.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { finalRow } from "./rows.ts";
 *
 * const progress = new PullProgress();
 * progress.finish("aborted", 10);
 * finalRow("llama3:latest", progress.snapshot(10), "aborted", {
 *   width: 79, color: false, nowMs: 10, prefix: "", nameWidth: 13,
 * }); // "✘ llama3:latest interrupted"
 * ```
 */
export function finalRow(
  label: string,
  snapshot: PullProgressSnapshot,
  outcome: PullOutcome,
  layout: RowLayout,
): string {
  const ok = outcome === "success";
  return joinCells(
    [
      ...prefixCells(layout),
      { text: ok ? "✔" : "✘", sgr: ok ? STYLE.ok : STYLE.bad },
      { text: outcomeText(label, snapshot, outcome) },
    ],
    Math.max(1, layout.width),
    layout.color,
  );
}

/**
 * A model's layer rows, as `ollama pull` shows them (`pulling 6a0746a1ec1a ██████▌░░░  65% 3.0
 * GB/4.7 GB`), in the columns of the model rows (the bar, percent and sizes line up): the most
 * recent `layers`, after a `… N earlier layers` row when there are more than were given.
 *
 * @param layers The most recent layers (at most the rows there is room for).
 * @param count How many layers the pull has seen in all.
 * @param layout The frame.
 * @returns The rows.
 *
 * @example
 * ```ts
 * import { layerRows } from "./rows.ts";
 *
 * const layer = { digest: "sha256:6a07", shortDigest: "6a07", total: 100, completed: 50, percent: 50, done: false, position: 1 };
 * layerRows([layer], 1, { width: 60, color: false, nowMs: 0, prefix: "", nameWidth: 19 });
 * // [" pulling 6a07         █████████░░░░░░░░░  50% 50 B/100 B"]
 * ```
 */
export function layerRows(
  layers: readonly PullLayerSnapshot[],
  count: number,
  layout: RowLayout,
): string[] {
  const width = Math.max(1, layout.width);
  const shape = geometry(layout, true, true, false);
  const label = 2 + shape.name;
  const rows: string[] = [];
  const earlier = count - layers.length;
  if (earlier > 0) {
    rows.push(joinCells(
      [
        ...prefixCells(layout),
        { text: ` … ${earlier} earlier layer${earlier === 1 ? "" : "s"}`, sgr: STYLE.dim },
      ],
      width,
      layout.color,
    ));
  }
  for (const layer of layers) {
    const cells: Cell[] = [
      ...prefixCells(layout),
      { text: padToWidth(fitToWidth(` pulling ${layer.shortDigest}`, label), label) },
    ];
    if (shape.columns.includes("bar")) {
      cells.push({
        text: renderBar((layer.percent ?? 0) / 100, shape.bar, { track: TRACK }),
        sgr: layer.done ? STYLE.ok : STYLE.bar,
      });
    }
    if (shape.columns.includes("percent")) {
      const percent = layer.percent === undefined ? "?" : formatPercent(layer.percent);
      cells.push({ text: padToWidth(percent, PERCENT, true) });
    }
    if (shape.columns.includes("sizes")) {
      cells.push({ text: formatByteProgress(layer.completed, layer.total) });
    }
    rows.push(joinCells(cells, width, layout.color));
  }
  return rows;
}
