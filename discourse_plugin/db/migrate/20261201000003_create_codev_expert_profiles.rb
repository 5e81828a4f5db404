# frozen_string_literal: true

class CreateCodevExpertProfiles < ActiveRecord::Migration[7.2]
  def change
    create_table :codev_expert_profiles do |t|
      t.integer :user_id, null: false
      t.string :version, null: false, limit: 64
      t.jsonb :data, null: false, default: {}
      t.timestamps
    end

    add_index :codev_expert_profiles, :user_id, unique: true
  end
end
