-- Hand-written (drizzle cannot express triggers). A stored message moves the room row (its last
-- seq, its version: 2 for text, which also moves its sender's cursor, 1 for a system message) and
-- its text sender's cursor, inside the insert: a send is one statement (room-log.ts, VERSION_STEP).
-- Forward only, so an import (no room row yet) or an older message changes nothing.
CREATE TRIGGER `messages_keep_room_current` AFTER INSERT ON `messages`
BEGIN
  UPDATE `room` SET `last_seq` = NEW.`seq`, `version` = `version` + (CASE NEW.`kind` WHEN 'text' THEN 2 ELSE 1 END)
    WHERE `last_seq` < NEW.`seq`;
  UPDATE `members` SET `last_read_seq` = NEW.`seq`
    WHERE NEW.`kind` = 'text' AND `user_id` = NEW.`sender_id` AND `last_read_seq` < NEW.`seq`;
END;
