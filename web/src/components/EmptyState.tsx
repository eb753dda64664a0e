export const EmptyState = (props: { title: string; hint: string }) => (
  <div class="state-box">
    <p class="state-title">{props.title}</p>
    <p class="state-hint">{props.hint}</p>
  </div>
);
