// x-kubernetes-validations, evaluated with a CEL implementation the way the API server does: `self`
// is the value at the rule's node, `oldSelf` the value before an update. Rules that mention oldSelf
// are transition rules and only run when there is an old value.
import { parse } from '@marcbachmann/cel-js';
import { type CelRule } from './schema/kube.js';

type Program = ReturnType<typeof parse>;

const programs = new Map<string, Program | Error>();

/** Parses a rule once; a rule that does not parse is reported at every use rather than thrown. */
export function celProgram(rule: string): Program | Error {
  let program = programs.get(rule);
  if (!program) {
    try {
      program = parse(rule);
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    programs.set(rule, program);
  }
  return program;
}

export const isTransitionRule = (rule: CelRule): boolean => /\boldSelf\b/.test(rule.rule);

/**
 * Why a value breaks a rule, or undefined when it holds. `self` and `oldSelf` must already be in
 * CEL's terms (integers as bigint; see toCelValue in structural.ts).
 */
export function celViolation(rule: CelRule, self: unknown, oldSelf?: unknown): string | undefined {
  const program = celProgram(rule.rule);
  if (program instanceof Error) return `rule '${rule.rule}' does not compile: ${firstLine(program.message)}`;
  let result: unknown;
  try {
    result = program(oldSelf === undefined ? { self } : { self, oldSelf });
  } catch (error) {
    return `${rule.message} (rule '${rule.rule}' failed: ${firstLine(error instanceof Error ? error.message : String(error))})`;
  }
  if (result === true) return undefined;
  if (result === false) return rule.message;
  return `rule '${rule.rule}' gave ${String(result)} instead of true or false`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
