/**
 * The package's version, as `--version` prints it.
 *
 * @module
 */

/** This package's version, as `--version` prints it. */
export const VERSION = "0.1.0";
