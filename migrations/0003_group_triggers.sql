-- Hand-written: drizzle-kit does not generate triggers or data updates.
-- System messages (membership and title changes) take a seq and move the room's last message
-- like any message, but never move a read cursor: the sender's cursor moves for `text` only.
-- Every message also grows the room's `version` (docs/api.md: of two views of a room the one with
-- the higher version is the newer), and so does every read-cursor move (the second trigger).
DROP TRIGGER `messages_keep_room_current`;--> statement-breakpoint
CREATE TRIGGER `messages_keep_room_current` AFTER INSERT ON `messages`
BEGIN
  UPDATE `rooms` SET `last_seq` = NEW.`seq`, `last_message_id` = NEW.`id`, `updated_at` = NEW.`sent_at`, `version` = `version` + 1
    WHERE `id` = NEW.`room_id` AND `last_seq` < NEW.`seq`;
  UPDATE `room_members` SET `last_read_seq` = NEW.`seq`
    WHERE NEW.`kind` = 'text' AND `room_id` = NEW.`room_id` AND `user_id` = NEW.`sender_id` AND `last_read_seq` < NEW.`seq`;
END;--> statement-breakpoint
CREATE TRIGGER `room_members_cursor_grows_version` AFTER UPDATE OF `last_read_seq` ON `room_members`
  WHEN NEW.`last_read_seq` > OLD.`last_read_seq`
BEGIN
  UPDATE `rooms` SET `version` = `version` + 1 WHERE `id` = NEW.`room_id`;
END;--> statement-breakpoint
-- Rooms from before: at least what `unread.version` summed for them (last seq plus each cursor),
-- so no member's version goes back across this migration.
UPDATE `rooms` SET `version` = `last_seq` + (SELECT coalesce(sum(`last_read_seq`), 0) FROM `room_members` WHERE `room_id` = `rooms`.`id`);
