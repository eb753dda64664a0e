ALTER TABLE `members` ADD `muted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `pinned_at` integer;