-- interview_interviewers.card_task_id / card_response_code were the first idea of where an interviewer's
-- invitation card lives. The WeCom glue keeps every sent card in its own registry instead (wecom_cards and
-- wecom_deliveries, 0002), so nothing reads or writes these columns: drop them and their index.

drop index if exists interview_interviewers_card_task;
alter table interview_interviewers drop column card_task_id, drop column card_response_code;
