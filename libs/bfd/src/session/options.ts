// What one session is configured with, in milliseconds (as MetalLB's BFDProfile has it; packets
// carry microseconds), and the checks that reject a bad configuration with every problem at once.

export interface SessionTimers {
  /** bfd.DesiredMinTxInterval once Up: how often we would like to send (MetalLB `transmitInterval`). */
  readonly desiredMinTxInterval: number;
  /** bfd.RequiredMinRxInterval: the fastest we accept packets (MetalLB `receiveInterval`). */
  readonly requiredMinRxInterval: number;
  /** bfd.DetectMult: packets the peer may miss before we declare the session down. */
  readonly detectMultiplier: number;
}

export interface SessionOptions extends SessionTimers {
  /** bfd.LocalDiscr: nonzero, unique among the process's sessions (the manager picks it). */
  readonly localDiscriminator: number;
  /** RFC 5880 §6.1 passive role: send nothing until the peer has sent something. */
  readonly passive?: boolean;
  /**
   * Echo function (RFC 5880 §6.4): send echo packets every `interval` ms (or slower, when the peer
   * asks) once Up, and advertise that we loop the peer's back at that rate. The caller must be
   * able to send echo packets (single hop; see the Node adapter).
   */
  readonly echo?: { readonly interval: number };
  /** Start in AdminDown (RFC 5880 §6.8.16). */
  readonly adminDown?: boolean;
  /** Uniform [0, 1) for jitter; Math.random by default. Tests pass a fixed sequence. */
  readonly random?: () => number;
}

/** RFC 5880 §6.8.3: the slowest-start interval while the session is not Up. */
export const SLOW_START_INTERVAL_MS = 1000;
/** RFC 5880 §6.8.3: the Required Min RX Interval we advertise while the echo function is active. */
export const ECHO_CONTROL_RX_INTERVAL_MS = 1000;
/** Intervals travel in 32-bit microsecond fields. */
const MAX_INTERVAL_MS = 0xffffffff / 1000;

/** Every problem with the timers, each naming its field. */
export function timerProblems(timers: Partial<SessionTimers>, prefix = ''): string[] {
  const problems: string[] = [];
  for (const field of ['desiredMinTxInterval', 'requiredMinRxInterval'] as const) {
    const value = timers[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_INTERVAL_MS) {
      problems.push(`${prefix}${field}: ${String(value)} must be a number of milliseconds from 1 to ${Math.floor(MAX_INTERVAL_MS)}`);
    }
  }
  const multiplier = timers.detectMultiplier;
  if (typeof multiplier !== 'number' || !Number.isInteger(multiplier) || multiplier < 1 || multiplier > 255) {
    problems.push(`${prefix}detectMultiplier: ${String(multiplier)} must be an integer from 1 to 255`);
  }
  return problems;
}

export function sessionOptionProblems(options: SessionOptions): string[] {
  const problems = timerProblems(options);
  const discriminator = options.localDiscriminator;
  if (!Number.isInteger(discriminator) || discriminator < 1 || discriminator > 0xffffffff) {
    problems.push(`localDiscriminator: ${discriminator} must be a nonzero 32-bit unsigned integer`);
  }
  if (options.echo !== undefined && !(options.echo.interval >= 1 && options.echo.interval <= MAX_INTERVAL_MS)) {
    problems.push(`echo.interval: ${options.echo.interval} must be a number of milliseconds from 1 to ${Math.floor(MAX_INTERVAL_MS)}`);
  }
  return problems;
}
