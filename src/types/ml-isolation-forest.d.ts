// ml-isolation-forest 0.1.0 ships no types; this is the part of its API the detector uses.
declare module "ml-isolation-forest" {
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    train(trainingSet: number[][]): void;
    /** Anomaly score 2^(−E[h(x)]/c(n)) per row: near 1 isolated, near 0.5 or below ordinary. */
    predict(data: number[][]): number[];
  }
}
