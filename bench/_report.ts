/**
 * The shape every benchmark script reports in, so that `bench/run.ts` can collect them into
 * BENCHMARKS.md. A script run with `--json` prints one {@link BenchSection} as the last line of
 * its stdout; without it, a readable table.
 *
 * @module
 */

/** One measured figure, with the target it is held to (if any). */
export interface BenchFigure {
  /** What was measured, e.g. "check, all models present, over the deno run floor". */
  name: string;
  /** The number. */
  value: number;
  /** Its unit: "ms", "MB", "x", "%", "lines/s", "redraws/s", "KB", ... */
  unit: string;
  /** The bar, in words, e.g. "<= 15 ms". Absent when the figure is informational. */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  pass?: boolean;
  /** Anything a reader needs to interpret the figure (sample size, spread, raw values). */
  detail?: string;
}

/** A group of figures measured by one script in one run. */
export interface BenchSection {
  /** Heading, e.g. "Time to ready". */
  title: string;
  /** The command that produced these figures (to paste). */
  command: string;
  /** The figures, in reading order. */
  figures: BenchFigure[];
  /** Free-form notes: method, caveats. */
  notes?: string[];
}

/** The median of some numbers (not mutated). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A quantile (0..1) of some numbers, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

/** Rounds for display: 3 significant digits, at most 2 decimals. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return Number(value.toFixed(digits));
}

/** Renders a section as a Markdown table (used for both the terminal and BENCHMARKS.md). */
export function sectionToMarkdown(section: BenchSection): string {
  const lines = [
    `### ${section.title}`,
    "",
    `Command: \`${section.command}\``,
    "",
    "| figure | value | target | met |",
    "|---|---:|---|:---:|",
  ];
  for (const f of section.figures) {
    const met = f.pass === undefined ? "" : f.pass ? "yes" : "**no**";
    const detail = f.detail ? ` (${f.detail})` : "";
    lines.push(
      `| ${f.name}${detail} | ${round(f.value)} ${f.unit} | ${f.target ?? ""} | ${met} |`,
    );
  }
  for (const note of section.notes ?? []) lines.push("", note);
  return lines.join("\n") + "\n";
}

/**
 * Prints a section: the Markdown table, and with `--json` in the arguments, the section as one
 * JSON line last on stdout (what `bench/run.ts` reads).
 */
export function report(section: BenchSection, args: readonly string[]): void {
  if (args.includes("--json")) {
    console.log(JSON.stringify(section));
  } else {
    console.log(sectionToMarkdown(section));
  }
}

/** The value after a `--name` flag in the arguments, if any. */
export function option(
  args: readonly string[],
  name: string,
): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/**
 * Ends a process-timing script: notes unexpected exit codes and the time taken, then reports.
 *
 * @param section The section, whose `notes` receive the two lines.
 * @param failures Descriptions of runs that exited with an unexpected code.
 * @param startedMs `performance.now()` when the script started.
 */
export function finishTimed(
  section: BenchSection,
  failures: readonly string[],
  startedMs: number,
): void {
  const notes = section.notes ?? (section.notes = []);
  if (failures.length > 0) {
    notes.push(
      `Unexpected exit codes (${failures.length}): ${failures.slice(0, 5).join("; ")}`,
    );
  }
  notes.push(
    `Total bench time: ${round((performance.now() - startedMs) / 1000)} s.`,
  );
  report(section, Deno.args);
}
