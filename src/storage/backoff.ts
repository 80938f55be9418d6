// Exponential backoff with jitter for retrying remote calls (Loki's backoff_config: min_period,
// max_period, max_retries). Decides delays and re-runs operations; knows nothing of S3 or HTTP.

export interface BackoffPolicy {
  minDelayMs: number;
  maxDelayMs: number;
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
}

/** Loki's defaults for storage_config.aws.backoff_config. */
export const DEFAULT_BACKOFF: BackoffPolicy = { minDelayMs: 100, maxDelayMs: 3000, maxRetries: 5 };

/** Delay before retry number `retry` (0-based): min·2^retry capped at max, then jittered into [d/2, d]. */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(retry, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `op` until it succeeds, fails with a non-retryable error, or the retries are used up. */
export async function withRetries<T>(
  policy: BackoffPolicy,
  isRetryable: (err: unknown) => boolean,
  op: () => Promise<T>,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await op();
    } catch (err) {
      if (retry >= policy.maxRetries || !isRetryable(err)) throw err;
      await sleep(backoffDelay(policy, retry));
    }
  }
}
