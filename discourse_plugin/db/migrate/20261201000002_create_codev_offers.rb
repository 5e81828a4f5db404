# frozen_string_literal: true

class CreateCodevOffers < ActiveRecord::Migration[7.2]
  def change
    create_table :codev_offers do |t|
      t.integer :topic_id, null: false
      t.integer :user_id, null: false
      t.datetime :withdrawn_at
      t.timestamps
    end

    add_index :codev_offers, %i[topic_id user_id], unique: true
    add_index :codev_offers, :user_id
  end
end
