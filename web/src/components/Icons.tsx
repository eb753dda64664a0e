/** Inline SVG icons (no icon font, no requests); all decorative, the button carries the label. */
const Svg = (props: { d: string }) => (
  <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
    <path d={props.d} />
  </svg>
);

export const PersonIcon = () => <Svg d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z" />;
export const ChatIcon = () => <Svg d="M12 3C6.5 3 2 6.6 2 11c0 2.8 1.8 5.3 4.6 6.7L5.6 21.4c-.1.4.3.7.6.5l4.4-2.9c.5.1.9.1 1.4.1 5.5 0 10-3.6 10-8S17.5 3 12 3z" />;
export const AddPersonIcon = () => <Svg d="M10 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-7 2-7 4.5V20h14v-1.5C17 16 14 14 10 14zm9-6V5h-2v3h-3v2h3v3h2v-3h3V8h-3z" />;
export const GearIcon = () => (
  <Svg d="M19.4 13a7.8 7.8 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.4 7.4 0 0 0-1.7-1L15 3.3h-4l-.4 2.6a7.4 7.4 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.8 7.8 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1c.5.4 1.1.8 1.7 1l.4 2.6h4l.4-2.6c.6-.2 1.2-.6 1.7-1l2.5 1 2-3.5L19.4 13zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z" />
);
export const BackIcon = () => <Svg d="M15.4 4.6 14 3.2 5.2 12l8.8 8.8 1.4-1.4L8 12z" />;
export const SendIcon = () => <Svg d="M3 20.5 21 12 3 3.5V10l12 2-12 2z" />;
export const CloseIcon = () => <Svg d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6z" />;
export const MenuIcon = () => <Svg d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" />;
export const NewChatIcon = () => (
  <Svg d="M12 3C6.5 3 2 6.6 2 11c0 2.8 1.8 5.3 4.6 6.7L5.6 21.4c-.1.4.3.7.6.5l4.4-2.9c.5.1.9.1 1.4.1 5.5 0 10-3.6 10-8S17.5 3 12 3zm4 9h-3v3h-2v-3H8v-2h3V7h2v3h3z" />
);
export const PinIcon = () => <Svg d="M16 3H8v2h1v5.5L6 14v2h5v5l1 1 1-1v-5h5v-2l-3-3.5V5h1z" />;
export const MutedIcon = () => (
  <Svg d="M4.3 3 3 4.3l4.1 4.1A6 6 0 0 0 6 11v5l-2 2v1h13.7l2 2 1.3-1.3zM12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6.8V11a6 6 0 0 0-4.5-5.8V4.5a1.5 1.5 0 0 0-3 0v.7c-.6.2-1.2.4-1.7.8z" />
);
export const StarIcon = () => <Svg d="m12 17.3 6.2 3.7-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7-1.6 7z" />;
