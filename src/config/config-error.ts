// Owns the one-line configuration error every process and script prints without a stack.

/** A bad setting, explained in one line naming the variable (and the file it came from, if any). */
export class ConfigError extends Error {}
