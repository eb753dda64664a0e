ALTER TABLE `messages` ADD `kind` text DEFAULT 'text' NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `event` text;--> statement-breakpoint
CREATE INDEX `messages_room_system_idx` ON `messages` (`room_id`,`seq`) WHERE "messages"."kind" = 'system';--> statement-breakpoint
ALTER TABLE `room_members` ADD `joined_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rooms` ADD `title` text;--> statement-breakpoint
ALTER TABLE `rooms` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `left_rooms_version` integer DEFAULT 0 NOT NULL;