-- The app's `messages` table (same columns and indexes as migrations/0000_init.sql, minus the
-- foreign keys: the relay has no users or rooms), so both sides pay for the same index upkeep.
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`seq` integer NOT NULL,
	`sender_id` text NOT NULL,
	`client_id` text NOT NULL,
	`body` text NOT NULL,
	`sent_at` integer NOT NULL
);
CREATE UNIQUE INDEX `messages_room_seq_uq` ON `messages` (`room_id`,`seq`);
CREATE UNIQUE INDEX `messages_room_sender_client_uq` ON `messages` (`room_id`,`sender_id`,`client_id`);
