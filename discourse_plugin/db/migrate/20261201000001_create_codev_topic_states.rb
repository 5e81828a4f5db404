# frozen_string_literal: true

class CreateCodevTopicStates < ActiveRecord::Migration[7.2]
  def change
    create_table :codev_topic_states do |t|
      t.integer :topic_id, null: false
      t.string :kind, null: false, limit: 20
      t.string :status, limit: 20
      t.string :version, null: false, limit: 64
      t.jsonb :data, null: false, default: {}
      t.timestamps
    end

    add_index :codev_topic_states, :topic_id, unique: true
  end
end
