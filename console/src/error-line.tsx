// The one way a screen shows what went wrong: a line read out by screen readers, or nothing.
export function ErrorLine({ error, testId }: { error: string | null | undefined; testId?: string }) {
  return error ? (
    <p class="error" role="alert" data-testid={testId}>
      {error}
    </p>
  ) : null;
}
