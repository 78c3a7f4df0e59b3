import { CostAvoidanceSource } from '@app/returns';

/** The return's cost section, from the savings calculator (@app/savings) once it is merged. */
export const costAvoidance = (): CostAvoidanceSource | undefined => undefined;
