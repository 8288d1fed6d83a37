-- Reference data every practice starts with; admins change it on the settings page.
INSERT INTO practice_settings (key, value) VALUES
  ('first_response_target_hours', '24'::jsonb),
  ('crisis_message', to_jsonb('If you are in danger right now, or thinking about harming yourself or someone else, please call your local emergency number straight away. You can also reach a crisis line at any hour; your practitioner will see your message as soon as they can, but they may not be available right now.'::text))
ON CONFLICT (key) DO NOTHING;
