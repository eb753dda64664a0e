-- Every stored message moves its room's last message and its sender's read cursor, inside the
-- INSERT itself and so inside its transaction: the chat list's last message and unread count
-- (last_seq - last_read_seq) can never disagree with the messages table, whoever writes to it.
-- One statement per message instead of three: the updates ran as separate statements in the same
-- D1 batch before, and each statement has a fixed cost in D1.
-- Only forward: a message older than the room's last one (an import, a replay) changes nothing.
-- A repeated send (the upsert's conflict path) is an UPDATE and does not fire this.
CREATE TRIGGER `messages_keep_room_current` AFTER INSERT ON `messages`
BEGIN
  UPDATE `rooms` SET `last_seq` = NEW.`seq`, `last_message_id` = NEW.`id`, `updated_at` = NEW.`sent_at`
    WHERE `id` = NEW.`room_id` AND `last_seq` < NEW.`seq`;
  UPDATE `room_members` SET `last_read_seq` = NEW.`seq`
    WHERE `room_id` = NEW.`room_id` AND `user_id` = NEW.`sender_id` AND `last_read_seq` < NEW.`seq`;
END;
