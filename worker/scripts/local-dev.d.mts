// Types for the parts of local-dev.mjs that TypeScript config files import (vitest.config.ts).
export declare const LOCAL_VAPID_SUBJECT: string;
export declare function vapidKeyPair(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
