CREATE TABLE `members` (
	`user_id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`last_read_seq` integer NOT NULL,
	`joined_seq` integer NOT NULL,
	`d1_read_seq` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`sender_id` text NOT NULL,
	`client_id` text NOT NULL,
	`body` text NOT NULL,
	`sent_at` integer NOT NULL,
	`kind` text NOT NULL,
	`event` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_sender_client_uq` ON `messages` (`sender_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `messages_system_idx` ON `messages` (`seq`) WHERE "messages"."kind" = 'system';--> statement-breakpoint
CREATE TABLE `room` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text,
	`last_seq` integer NOT NULL,
	`version` integer NOT NULL,
	`d1_seq` integer NOT NULL
);
