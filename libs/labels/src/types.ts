// The shapes of Kubernetes labels and of metav1.LabelSelector, as they appear in objects.

/** Kubernetes labels: a flat map of strings. */
export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface LabelSelectorRequirement {
  readonly key: string;
  /** Any string, as selectors arrive from users; validation names one it does not know. */
  readonly operator: SelectorOperator | (string & {});
  readonly values?: readonly string[];
}

/** A metav1.LabelSelector: every matchLabels pair and every expression must hold. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export const isSelectorOperator = (operator: unknown): operator is SelectorOperator =>
  SELECTOR_OPERATORS.includes(operator as SelectorOperator);
