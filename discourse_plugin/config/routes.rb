# frozen_string_literal: true

Codev::Engine.routes.draw do
  get "/status" => "status#show"

  get "/topics/:id" => "topics#show", :constraints => { id: /\d+/ }
  put "/topics/:id" => "topics#update", :constraints => { id: /\d+/ }
  delete "/topics/:id" => "topics#destroy", :constraints => { id: /\d+/ }
  post "/topics/:id/approve" => "topics#approve", :constraints => { id: /\d+/ }

  get "/topics/:topic_id/offers" => "offers#index", :constraints => { topic_id: /\d+/ }
  post "/topics/:topic_id/offer" => "offers#create", :constraints => { topic_id: /\d+/ }
  delete "/topics/:topic_id/offer" => "offers#destroy", :constraints => { topic_id: /\d+/ }

  put "/users/:username" => "experts#update", :constraints => { username: %r{[%\w.\-]+?} }
  delete "/users/:username" => "experts#destroy", :constraints => { username: %r{[%\w.\-]+?} }
end

Discourse::Application.routes.draw { mount ::Codev::Engine, at: "codev" }
